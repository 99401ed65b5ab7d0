//! Campaigns across communities, and the sites where work happens.

use super::*;

/// The campaigns in scope.
pub async fn campaigns(cx: &Cx) -> AppResult<Vec<campaign::Model>> {
    cx.scope.require_authenticated()?;
    Ok(campaign::Entity::find().filter(campaign_filter(&cx.scope)).order_by_asc(campaign::Column::Id).all(&cx.db).await?)
}

/// Most communities one request may name for a campaign.
const MAX_COMMUNITIES: usize = 500;

/// A campaign to create.
pub struct NewCampaign {
    pub name: String,
    pub goal: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub community_ids: Vec<CommunityId>,
    pub lead_organization_id: Option<OrganizationId>,
}

/// Creates a campaign across communities of the caller's street (street admins).
pub async fn create_campaign(cx: &Cx, input: NewCampaign) -> AppResult<campaign::Model> {
    let Some(street_id) = cx.scope.require_street_admin("campaigns")? else {
        return Err(AppError::Forbidden("campaigns are managed by street administrators".into()));
    };
    let community_ids: Vec<Uuid> = input.community_ids.iter().map(|c| c.0).collect();
    let lead_organization_id = input.lead_organization_id.map(|o| o.0);
    let name = clean_name("name", &input.name, 100)?;
    let goal = clean_text("goal", &input.goal, 2000)?;
    check_date("startsOn", input.starts_on)?;
    check_optional_date("endsOn", input.ends_on)?;
    if input.ends_on.is_some_and(|e| e < input.starts_on) {
        return Err(AppError::bad_input("endsOn", "`endsOn` must not be before `startsOn`"));
    }
    if community_ids.len() > MAX_COMMUNITIES {
        return Err(AppError::bad_input("communityIds", format!("at most {MAX_COMMUNITIES} communities")));
    }
    if community_ids.is_empty() {
        return Err(AppError::bad_input("communityIds", "a campaign needs at least one community"));
    }
    if let Some(c) = community_ids.iter().find(|c| !cx.scope.sees_community(**c)) {
        return Err(AppError::bad_input("communityIds", format!("community {c} is not in your street")));
    }
    let w = Write::begin(cx).await?;
    if let Some(org) = lead_organization_id {
        let found = entity::party_organization::Entity::find_by_id(org)
            .filter(cx.scope.tenant_filter(entity::party_organization::Column::CommunityId))
            .one(w.txn())
            .await?;
        if found.is_none() && org != street_id {
            return Err(AppError::bad_input("leadOrganizationId", "no such party organisation in your street"));
        }
    }
    let now = Utc::now();
    let model = campaign::ActiveModel {
        id: Set(Uuid::now_v7()),
        street_id: Set(street_id),
        name: Set(name),
        goal: Set(goal),
        starts_on: Set(input.starts_on),
        ends_on: Set(input.ends_on),
        lead_organization_id: Set(lead_organization_id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(w.txn())
    .await?;
    let mut ids = community_ids;
    ids.sort();
    ids.dedup();
    let links: Vec<campaign_community::ActiveModel> = ids
        .iter()
        .map(|c| campaign_community::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(*c),
            campaign_id: Set(model.id),
            created_at: Set(now),
        })
        .collect();
    campaign_community::Entity::insert_many(links).exec(w.txn()).await?;
    w.commit(
        Audit::new("createCampaign", "Campaign")
            .object(model.id)
            .summary(json!({ "name": model.name, "communities": ids.len(), "startsOn": model.starts_on })),
    )
    .await?;
    Ok(model)
}

/// Changes to a campaign; absent fields stay. Communities can join, not leave (their tasks
/// stay in the campaign).
#[derive(Default)]
pub struct CampaignChanges {
    pub expected_version: Option<i32>,
    pub name: Option<String>,
    pub goal: Option<String>,
    pub ends_on: Option<NaiveDate>,
    pub add_community_ids: Vec<CommunityId>,
    pub remove_community_ids: Vec<CommunityId>,
}

/// Edits a campaign of the caller's street (street admins).
pub async fn update_campaign(cx: &Cx, id: CampaignId, changes: CampaignChanges) -> AppResult<campaign::Model> {
    let id = id.0;
    let add_community_ids: Vec<Uuid> = changes.add_community_ids.iter().map(|c| c.0).collect();
    let remove_community_ids: Vec<Uuid> = changes.remove_community_ids.iter().map(|c| c.0).collect();
    let Some(street_id) = cx.scope.require_street_admin("campaigns")? else {
        return Err(AppError::Forbidden("campaigns are managed by street administrators".into()));
    };
    let w = Write::begin(cx).await?;
    // Waits for tasks being filed into the campaign (they hold it shared), so that a community
    // leaving sees them.
    let current = w
        .lock(campaign::Entity::find_by_id(id).filter(campaign::Column::StreetId.eq(street_id)))
        .await?
        .ok_or_else(|| AppError::not_found("campaign"))?;
    check_version(changes.expected_version, current.version, "the campaign")?;
    let mut m: campaign::ActiveModel = current.clone().into();
    let mut changed = Vec::new();
    if let Some(n) = changes.name {
        m.name = Set(clean_name("name", &n, 100)?);
        changed.push("name");
    }
    if let Some(g) = changes.goal {
        m.goal = Set(clean_text("goal", &g, 2000)?);
        changed.push("goal");
    }
    if let Some(e) = changes.ends_on {
        check_date("endsOn", e)?;
        if e < current.starts_on {
            return Err(AppError::bad_input("endsOn", "`endsOn` must not be before `startsOn`"));
        }
        m.ends_on = Set(Some(e));
        changed.push("endsOn");
    }
    if add_community_ids.len() > MAX_COMMUNITIES {
        return Err(AppError::bad_input("addCommunityIds", format!("at most {MAX_COMMUNITIES} communities")));
    }
    if let Some(c) = add_community_ids.iter().find(|c| !cx.scope.sees_community(**c)) {
        return Err(AppError::bad_input("addCommunityIds", format!("community {c} is not in your street")));
    }
    let existing: Vec<Uuid> = campaign_community::Entity::find()
        .filter(campaign_community::Column::CampaignId.eq(id))
        .all(w.txn())
        .await?
        .into_iter()
        .map(|l| l.community_id)
        .collect();
    let mut added: Vec<Uuid> = add_community_ids.into_iter().filter(|c| !existing.contains(c)).collect();
    added.sort();
    added.dedup();
    let now = Utc::now();
    if !added.is_empty() {
        let links: Vec<campaign_community::ActiveModel> = added
            .iter()
            .map(|c| campaign_community::ActiveModel {
                id: Set(Uuid::now_v7()),
                community_id: Set(*c),
                campaign_id: Set(id),
                created_at: Set(now),
            })
            .collect();
        campaign_community::Entity::insert_many(links).exec(w.txn()).await?;
        changed.push("communities");
    }
    let removed = leave_campaign(w.txn(), id, &existing, &added, remove_community_ids).await?;
    if !removed.is_empty() {
        changed.push("communities");
    }
    m.version = Set(current.version + 1);
    m.updated_at = Set(now);
    let model =
        guarded_update::<campaign::Entity, _>(w.txn(), m, campaign::Column::Id, campaign::Column::Version, id, current.version).await?;
    w.commit(
        Audit::new("updateCampaign", "Campaign")
            .object(model.id)
            .summary(json!({ "changed": changed, "addedCommunities": added.len(), "removedCommunities": removed.len() })),
    )
    .await?;
    Ok(model)
}

/// Takes communities out of a campaign (of those in it before the change, `existing`, or just
/// `added`). A community leaves only when its tasks in the campaign are all closed (verified or
/// cancelled), and at least one community stays. Returns the communities that left.
async fn leave_campaign(
    txn: &DatabaseTransaction,
    campaign_id: Uuid,
    existing: &[Uuid],
    added: &[Uuid],
    remove: Vec<Uuid>,
) -> AppResult<Vec<Uuid>> {
    if remove.len() > MAX_COMMUNITIES {
        return Err(AppError::bad_input("removeCommunityIds", format!("at most {MAX_COMMUNITIES} communities")));
    }
    if let Some(c) = remove.iter().find(|c| added.contains(c)) {
        return Err(AppError::bad_input("removeCommunityIds", format!("community {c} is both added and removed")));
    }
    let mut removed: Vec<Uuid> = remove.into_iter().filter(|c| existing.contains(c)).collect();
    removed.sort();
    removed.dedup();
    if removed.is_empty() {
        return Ok(removed);
    }
    if existing.len() + added.len() <= removed.len() {
        return Err(AppError::bad_input("removeCommunityIds", "a campaign keeps at least one community"));
    }
    let open = task::Entity::find()
        .filter(task::Column::CampaignId.eq(campaign_id))
        .filter(task::Column::CommunityId.is_in(removed.iter().copied()))
        .filter(task::Column::Status.is_not_in([TaskStatus::Verified, TaskStatus::Cancelled]))
        .count(txn)
        .await?;
    if open > 0 {
        return Err(AppError::bad_input(
            "removeCommunityIds",
            format!("{open} task(s) of these communities in the campaign are still open: close or cancel them first"),
        ));
    }
    campaign_community::Entity::delete_many()
        .filter(campaign_community::Column::CampaignId.eq(campaign_id))
        .filter(campaign_community::Column::CommunityId.is_in(removed.iter().copied()))
        .exec(txn)
        .await?;
    Ok(removed)
}

/// A site to create.
pub struct NewSite {
    pub community_id: CommunityId,
    pub name: String,
    pub kind: site::SiteKind,
    pub compound_id: Option<CompoundId>,
    pub address: Option<String>,
}

/// Creates a site in a community the caller is staff of.
pub async fn create_site(cx: &Cx, input: NewSite) -> AppResult<site::Model> {
    let community_id = input.community_id.0;
    let compound_id = input.compound_id.map(|c| c.0);
    cx.scope.require_staff(community_id, "create sites")?;
    let name = clean_name("name", &input.name, 100)?;
    let address = clean_optional("address", input.address, 200)?;
    let w = Write::begin(cx).await?;
    if let Some(compound) = compound_id {
        let found = entity::compound::Entity::find_by_id(compound)
            .filter(entity::compound::Column::CommunityId.eq(community_id))
            .one(w.txn())
            .await?;
        if found.is_none() {
            return Err(AppError::bad_input("compoundId", "no such compound in this community"));
        }
    }
    let model = site::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community_id),
        name: Set(name),
        kind: Set(input.kind),
        compound_id: Set(compound_id),
        address: Set(address),
        created_at: Set(Utc::now()),
    }
    .insert(w.txn())
    .await
    .map_err(|e| conflict_on_unique(e, "a site with this name already exists in this community"))?;
    w.commit(
        Audit::new("createSite", "Site")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "name": model.name, "kind": model.kind.to_value() })),
    )
    .await?;
    Ok(model)
}
