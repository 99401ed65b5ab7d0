//! Rules of compounds: creating them and keeping their facts current.

use super::*;

fn check_built_year(year: Option<i32>) -> AppResult<Option<i32>> {
    let this_year = Utc::now().date_naive().format("%Y").to_string().parse::<i32>().unwrap_or(2100);
    match year {
        Some(y) if !(1900..=this_year).contains(&y) => {
            Err(AppError::bad_input("builtYear", format!("`builtYear` must be between 1900 and {this_year}")))
        }
        other => Ok(other),
    }
}

fn check_households(n: Option<i32>) -> AppResult<Option<i32>> {
    match n {
        Some(n) if !(0..=100_000).contains(&n) => Err(AppError::bad_input("households", "`households` must be between 0 and 100000")),
        other => Ok(other),
    }
}

/// A compound to create.
pub struct NewCompound {
    pub community_id: CommunityId,
    pub name: String,
    pub kind: CompoundKind,
    pub built_year: Option<i32>,
    pub households: Option<i32>,
    pub address: Option<String>,
}

/// Creates a compound in a community the caller administers.
pub async fn create_compound(cx: &Cx, input: NewCompound) -> AppResult<compound::Model> {
    cx.scope.require_admin(input.community_id.0)?;
    let name = clean_name("name", &input.name, 100)?;
    let built_year = check_built_year(input.built_year)?;
    let households = check_households(input.households)?;
    let address = clean_optional("address", input.address, 200)?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    if compound_named(txn, input.community_id.0, &name).await?.is_some() {
        return Err(AppError::Conflict(format!("a compound named {name} already exists in this community")));
    }
    let now = Utc::now();
    let model = compound::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(input.community_id.0),
        name: Set(name),
        kind: Set(input.kind),
        built_year: Set(built_year),
        households: Set(households),
        address: Set(address),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await
    .map_err(|e| conflict_on_unique(e, "a compound with this name already exists in this community"))?;
    let summary =
        json!({ "name": model.name, "kind": model.kind.to_value(), "builtYear": model.built_year, "households": model.households });
    w.commit(Audit::new("createCompound", "Compound").object(model.id).community(model.community_id).summary(summary)).await?;
    Ok(model)
}

async fn compound_named(db: &impl ConnectionTrait, community_id: Uuid, name: &str) -> AppResult<Option<compound::Model>> {
    Ok(compound::Entity::find()
        .filter(compound::Column::CommunityId.eq(community_id))
        .filter(compound::Column::Name.eq(name))
        .one(db)
        .await?)
}

/// Changes to a compound; absent fields stay as they are.
#[derive(Default)]
pub struct CompoundChanges {
    pub expected_version: Option<i32>,
    pub name: Option<String>,
    pub kind: Option<CompoundKind>,
    pub built_year: Option<i32>,
    pub households: Option<i32>,
    pub address: Option<String>,
}

/// Updates a compound; community staff may keep its facts current.
pub async fn update_compound(cx: &Cx, id: CompoundId, changes: CompoundChanges) -> AppResult<compound::Model> {
    let CompoundId(id) = id;
    cx.scope.require_authenticated()?;
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let current = compound::Entity::find_by_id(id)
        .filter(cx.scope.tenant_filter(compound::Column::CommunityId))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("compound"))?;
    cx.scope.require_staff(current.community_id, "update compounds")?;
    check_version(changes.expected_version, current.version, "the compound")?;
    let mut model: compound::ActiveModel = current.clone().into();
    if let Some(name) = changes.name {
        let name = clean_name("name", &name, 100)?;
        if name != current.name && compound_named(txn, current.community_id, &name).await?.is_some() {
            return Err(AppError::Conflict(format!("a compound named {name} already exists in this community")));
        }
        model.name = Set(name);
    }
    if let Some(kind) = changes.kind {
        model.kind = Set(kind);
    }
    if changes.built_year.is_some() {
        model.built_year = Set(check_built_year(changes.built_year)?);
    }
    if changes.households.is_some() {
        model.households = Set(check_households(changes.households)?);
    }
    if changes.address.is_some() {
        model.address = Set(clean_optional("address", changes.address, 200)?);
    }
    model.version = Set(current.version + 1);
    model.updated_at = Set(Utc::now());
    let updated =
        guarded_update::<compound::Entity, _>(txn, model, compound::Column::Id, compound::Column::Version, id, current.version).await?;
    w.commit(Audit::new("updateCompound", "Compound").object(updated.id).community(updated.community_id).summary(
        json!({ "name": updated.name, "builtYear": updated.built_year, "households": updated.households, "version": updated.version }),
    ))
    .await?;
    Ok(updated)
}
