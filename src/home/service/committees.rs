//! Owners' committees (业委会): one in office per compound; a newly elected committee ends the
//! old one on the day its term begins.

use std::collections::HashSet;

use chrono::{NaiveDate, Utc};
use entity::owners_committee_member::CommitteeRole;
use entity::{owners_committee, owners_committee_member};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::{Expected, check_term, lock_compound};
use crate::cx::Cx;
use crate::error::{AppError, AppResult};
use crate::home::ids::OwnersCommitteeId;
use crate::organisation::ids::{CompoundId, PersonId};
use crate::write::{Audit, Write};

/// Most members one owners' committee may have.
pub const MAX_COMMITTEE_MEMBERS: usize = 15;

/// An election's result, as community staff record it.
pub struct NewCommittee {
    pub compound_id: CompoundId,
    pub elected_on: NaiveDate,
    pub term_start: NaiveDate,
    pub term_end: Option<NaiveDate>,
    pub members: Vec<(PersonId, CommitteeRole)>,
    /// The committee in office the caller read.
    pub replaces: Expected<OwnersCommitteeId>,
}

/// Records an elected owners' committee (community staff). The committee in office, if any,
/// ends on the day the new term begins; never two at once.
pub async fn elect_committee(cx: &Cx, input: NewCommittee) -> AppResult<(owners_committee::Model, Option<owners_committee::Model>)> {
    cx.scope.require_authenticated()?;
    crate::validate::check_date("electedOn", input.elected_on)?;
    check_term("termStart", input.term_start, "termEnd", input.term_end)?;
    if input.elected_on > input.term_start {
        return Err(AppError::bad_input("electedOn", "the election comes before the term begins"));
    }
    if input.members.is_empty() || input.members.len() > MAX_COMMITTEE_MEMBERS {
        return Err(AppError::bad_input("members", format!("a committee has 1 to {MAX_COMMITTEE_MEMBERS} members")));
    }
    let mut seen = HashSet::new();
    if !input.members.iter().all(|(p, _)| seen.insert(*p)) {
        return Err(AppError::bad_input("members", "a person is named twice"));
    }
    if input.members.iter().filter(|(_, r)| *r == CommitteeRole::Director).count() > 1 {
        return Err(AppError::bad_input("members", "a committee has at most one director"));
    }
    let w = Write::begin(cx).await?;
    let txn = w.txn();
    let compound = lock_compound(&w, input.compound_id).await?;
    cx.scope.require_staff(compound.community_id, "record owners' committee elections")?;
    for (person, _) in &input.members {
        crate::organisation::service::person_known_to_staff(txn, cx, *person).await?;
    }
    let current = owners_committee::Entity::find()
        .filter(owners_committee::Column::CommunityId.eq(compound.community_id))
        .filter(owners_committee::Column::CompoundId.eq(compound.id))
        .filter(owners_committee::Column::EndedOn.is_null())
        .one(txn)
        .await?;
    input.replaces.check(current.as_ref().map(|c| OwnersCommitteeId(c.id)), "owners' committee in office")?;
    let now = Utc::now();
    let ended = match current {
        Some(old) => {
            if input.term_start < old.term_start {
                return Err(AppError::bad_input("termStart", "a new term cannot begin before the term of the committee in office"));
            }
            let (id, version) = (old.id, old.version);
            let mut row: owners_committee::ActiveModel = old.into();
            row.ended_on = Set(Some(input.term_start));
            row.version = Set(version + 1);
            let ended = crate::db::guarded_update::<owners_committee::Entity, _>(
                txn,
                row,
                owners_committee::Column::Id,
                owners_committee::Column::Version,
                id,
                version,
            )
            .await?;
            Some(ended)
        }
        None => None,
    };
    let conflict = |e| crate::db::conflict_on_unique(e, "another owners' committee was recorded at the same time; read it again and retry");
    let model = owners_committee::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(compound.community_id),
        compound_id: Set(compound.id),
        elected_on: Set(input.elected_on),
        term_start: Set(input.term_start),
        term_end: Set(input.term_end),
        ended_on: Set(None),
        version: Set(1),
        created_at: Set(now),
    }
    .insert(txn)
    .await
    .map_err(conflict)?;
    let members: Vec<owners_committee_member::ActiveModel> = input
        .members
        .iter()
        .map(|(person, role)| owners_committee_member::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(model.community_id),
            committee_id: Set(model.id),
            person_id: Set(person.0),
            role: Set(*role),
            created_at: Set(now),
        })
        .collect();
    owners_committee_member::Entity::insert_many(members).exec(txn).await?;
    w.commit(Audit::new("electOwnersCommittee", "OwnersCommittee").object(model.id).community(model.community_id).summary(json!({
        "compoundId": model.compound_id,
        "termStart": model.term_start,
        "members": input.members.len(),
        "ended": ended.as_ref().map(|e| e.id),
    })))
    .await?;
    Ok((model, ended))
}
