//! Owners' committees (业委会) and their members.

use crate::graphql::scalars::Date;
use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use entity::{owners_committee, owners_committee_member, person};

use super::{Home, expected, kind};
use crate::error::AppError;
use crate::graphql::context::{loaded, rc};
use crate::graphql::ids::{expect_id, global_id};
use crate::home::ids::OwnersCommitteeId;
use crate::home::loaders::*;
use crate::home::service::{self, NewCommittee};
use crate::organisation::ids::CompoundId;
use crate::organisation::loaders::org_loader;

/// A member's role on an owners' committee.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "entity::owners_committee_member::CommitteeRole")]
pub enum CommitteeRole {
    /// Director (主任).
    Director,
    /// Deputy director (副主任).
    DeputyDirector,
    /// Member (委员).
    Member,
}

/// An owners' committee (业委会) of a compound: one elected term. One is in office at a time;
/// a newly elected committee ends the old one on the day its term begins.
pub struct OwnersCommittee(pub owners_committee::Model);

/// An owners' committee (业委会) of a compound: one elected term. One is in office at a time;
/// a newly elected committee ends the old one on the day its term begins.
#[Object]
impl OwnersCommittee {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::OWNERS_COMMITTEE, self.0.id)
    }
    /// The day the owners elected it.
    async fn elected_on(&self) -> Date {
        Date(self.0.elected_on)
    }
    /// The first day of its term.
    async fn term_start(&self) -> Date {
        Date(self.0.term_start)
    }
    /// The last day its term was elected for, if set.
    async fn term_end(&self) -> Option<Date> {
        self.0.term_end.map(Date)
    }
    /// The day it left office (the next committee's first day); null while in office.
    async fn ended_on(&self) -> Option<Date> {
        self.0.ended_on.map(Date)
    }
    /// Whether it is the committee in office.
    async fn in_office(&self) -> bool {
        self.0.ended_on.is_none()
    }
    /// Version, incremented by every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The home (compound) it serves.
    async fn home(&self, ctx: &Context<'_>) -> Result<Home> {
        Ok(Home(loaded(org_loader(ctx)?.load_one(CompoundId(self.0.compound_id)).await?, "compound")?))
    }
    /// Its members with their roles. Names are public inside the community (a committee is posted
    /// in its compound), so staff and members of the community see them; units, reporters and the
    /// city see none.
    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<OwnersCommitteeMember>> {
        let rows = home_loader(ctx)?.load_one(MembersOf(self.0.id)).await?.unwrap_or_default();
        let scope = &rc(ctx)?.cx.scope;
        Ok(rows
            .into_iter()
            .map(|(m, p)| {
                let reveal = scope.reveals_person(Some(m.community_id), p.id);
                OwnersCommitteeMember(m, p, reveal)
            })
            .collect())
    }
}

/// A member of an owners' committee, with their role. The phone is shown in full only to staff of
/// the community and to the person; otherwise masked.
pub struct OwnersCommitteeMember(pub owners_committee_member::Model, pub person::Model, pub bool);

/// A member of an owners' committee, with their role. The phone is shown in full only to staff of
/// the community and to the person; otherwise masked.
#[Object]
impl OwnersCommitteeMember {
    /// Name.
    async fn name(&self) -> &str {
        &self.1.name
    }
    /// Role on the committee.
    async fn role(&self) -> CommitteeRole {
        self.0.role.into()
    }
    /// Contact phone: in full for staff of the community and the person, masked (138****1234) otherwise.
    async fn phone(&self) -> Option<String> {
        let phone = self.1.phone.as_deref()?;
        Some(if self.2 { phone.to_owned() } else { crate::organisation::service::mask_phone(phone) })
    }
    /// Whether the contact is shown in full.
    async fn personal_data_visible(&self) -> bool {
        self.2
    }
}

/// A member of a newly elected owners' committee.
#[derive(InputObject)]
pub struct OwnersCommitteeMemberInput {
    /// The person (`Person.id`), known to the community's staff.
    pub person_id: ID,
    /// Role on the committee (at most one director).
    pub role: CommitteeRole,
}

/// Input of `electOwnersCommittee`.
#[derive(InputObject)]
pub struct ElectOwnersCommitteeInput {
    /// The compound (a `Compound` id).
    pub compound_id: ID,
    /// The day the owners elected it (on or before `termStart`).
    pub elected_on: Date,
    /// The first day of its term; the committee in office ends that day.
    pub term_start: Date,
    /// The last day of the term it was elected for.
    pub term_end: Option<Date>,
    /// Its members (1 to 15).
    pub members: Vec<OwnersCommitteeMemberInput>,
    /// The committee in office as the caller read it: null when none is; omit to skip the check.
    /// When another committee has been recorded since, the election answers `CONFLICT`.
    pub replaces: MaybeUndefined<ID>,
}

/// Result of `electOwnersCommittee`.
#[derive(SimpleObject)]
pub struct ElectOwnersCommitteePayload {
    /// The committee now in office.
    pub owners_committee: OwnersCommittee,
    /// The committee it ended, if there was one in office.
    pub ended: Option<OwnersCommittee>,
}

/// Mutations of home co-building: owners' committees.
#[derive(Default)]
pub struct OwnersCommitteesMutation;

/// Mutations of home co-building: owners' committees.
#[Object]
impl OwnersCommitteesMutation {
    /// Records an owners' committee's election (community staff); the committee in office, if any,
    /// ends on the day the new term begins.
    async fn elect_owners_committee(&self, ctx: &Context<'_>, input: ElectOwnersCommitteeInput) -> Result<ElectOwnersCommitteePayload> {
        let r = rc(ctx)?;
        r.cx.scope.require_authenticated()?;
        let compound_id = CompoundId(expect_id(&input.compound_id, kind::COMPOUND, "compoundId")?);
        let members = input
            .members
            .iter()
            .map(|m| Ok((crate::organisation::graphql::person_id(&m.person_id, "personId")?, m.role.into())))
            .collect::<Result<Vec<_>, AppError>>()?;
        let replaces = expected(input.replaces, kind::OWNERS_COMMITTEE, OwnersCommitteeId)?;
        let (model, ended) = service::elect_committee(
            &r.cx,
            NewCommittee {
                compound_id,
                elected_on: input.elected_on.0,
                term_start: input.term_start.0,
                term_end: input.term_end.map(|d| d.0),
                members,
                replaces,
            },
        )
        .await?;
        Ok(ElectOwnersCommitteePayload { owners_committee: OwnersCommittee(model), ended: ended.map(OwnersCommittee) })
    }
}
