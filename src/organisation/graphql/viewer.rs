//! The caller and what they may see.

use super::*;

/// The caller and what they may see.
pub struct Viewer;

/// The caller and what they may see.
#[Object]
impl Viewer {
    /// The kind of principal the credential identifies; `ANONYMOUS` without one.
    async fn kind(&self, ctx: &Context<'_>) -> Result<PrincipalKind> {
        Ok(rc(ctx)?.cx.scope.principal().kind())
    }
    /// The administered or reported street, for street admins and reporters.
    async fn street(&self, ctx: &Context<'_>) -> Result<Option<Street>> {
        let r = rc(ctx)?;
        match crate::organisation::visibility::viewer_street(&r.cx.scope) {
            Some(street_id) => Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(StreetId(street_id)).await?.map(Street)),
            None => Ok(None),
        }
    }
    /// The community, for community admins and staff.
    async fn community(&self, ctx: &Context<'_>) -> Result<Option<Community>> {
        let r = rc(ctx)?;
        match crate::organisation::visibility::viewer_community(&r.cx.scope) {
            Some(community_id) => {
                Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(CommunityId(community_id)).await?.map(Community))
            }
            None => Ok(None),
        }
    }
    /// The unit, for partner departments.
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<CoBuildingUnit>> {
        let r = rc(ctx)?;
        match r.cx.scope.unit_id() {
            Some(id) => Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(UnitId(id)).await?.map(CoBuildingUnit)),
            None => Ok(None),
        }
    }
    /// The person, for members; their own data is shown in full.
    async fn person(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let r = rc(ctx)?;
        match r.cx.scope.person_id() {
            Some(id) => Ok(crate::organisation::loaders::org_loader(ctx)?.load_one(PersonOfVisibleRow(id)).await?.map(|p| Person(p, true))),
            None => Ok(None),
        }
    }
    /// For members: the party organisations whose secretary they are. A compound branch's
    /// secretary may post and manage that compound's demands.
    async fn secretary_of(&self, ctx: &Context<'_>) -> Result<Vec<PartyOrganization>> {
        let r = rc(ctx)?;
        Ok(service::organizations_led(&r.cx).await?.into_iter().map(PartyOrganization::Local).collect())
    }
    /// Every community in the caller's scope, in creation order; empty when anonymous.
    async fn communities(&self, ctx: &Context<'_>) -> Result<Vec<Community>> {
        let r = rc(ctx)?;
        Ok(service::all_communities(&r.cx).await?.into_iter().map(Community).collect())
    }
}

/// The caller: the first field of the query root.
#[derive(Default)]
pub struct ViewerQuery;

/// The caller: the first field of the query root.
#[Object]
impl ViewerQuery {
    /// Who the caller is and what they may see. The only field open to anonymous callers.
    async fn viewer(&self) -> Viewer {
        Viewer
    }
}
