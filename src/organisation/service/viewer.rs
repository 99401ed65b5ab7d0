//! What the caller leads.

use super::*;

/// The organisations whose secretary the calling member is (none for other principals).
pub async fn organizations_led(cx: &Cx) -> AppResult<Vec<party_organization::Model>> {
    let Some(person) = cx.scope.person_id() else { return Ok(Vec::new()) };
    let members: Vec<Uuid> = party_member::Entity::find()
        .select_only()
        .column(party_member::Column::Id)
        .filter(party_member::Column::PersonId.eq(person))
        .filter(cx.scope.tenant_filter(party_member::Column::CommunityId))
        .into_tuple()
        .all(&cx.db)
        .await?;
    if members.is_empty() {
        return Ok(Vec::new());
    }
    Ok(party_organization::Entity::find()
        .filter(party_organization::Column::SecretaryId.is_in(members))
        .filter(cx.scope.tenant_filter(party_organization::Column::CommunityId))
        .order_by_asc(party_organization::Column::Id)
        .all(&cx.db)
        .await?)
}
