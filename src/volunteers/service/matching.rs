//! Matching demand and supply (供需精准对接): an explainable score for each volunteer of the
//! demand's community (checked-in members become volunteers there on approval). The same data
//! always gives the same ranking: ties are broken by registration order.
//!
//! | part | points |
//! | --- | --- |
//! | the volunteer offers the demand's category | 40 |
//! | skills wanted that the volunteer has | 30 × share of the skills wanted |
//! | available in a weekly slot the demand's time window covers (Beijing time) | 15 |
//! | lives in the demand's compound | 10 |
//! | fairness: served less in the last 90 days | 5 × (1 − min(times, 5) / 5) |

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, FixedOffset, Timelike, Utc};
use entity::demand::{self, DemandStatus};
use entity::volunteer::{self, VolunteerStatus};
use entity::{service_category, sign_up};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::DAYS;
use crate::cx::Cx;
use crate::error::AppResult;
use crate::validate::from_json_list as list;
use crate::volunteers::visibility::{published_filter, suggests_volunteers, volunteer_filter};

/// The parts of a score.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ScoreParts {
    pub category: f64,
    pub skills: f64,
    pub availability: f64,
    pub compound: f64,
    pub fairness: f64,
}

impl ScoreParts {
    pub fn total(&self) -> f64 {
        round(self.category + self.skills + self.availability + self.compound + self.fairness)
    }
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The weekly slot of a moment, in Beijing time: `SAT_AM`, `SAT_PM` or `SAT_EVE`.
pub fn slot(at: DateTime<Utc>) -> String {
    let beijing = FixedOffset::east_opt(8 * 3600).map(|tz| at.with_timezone(&tz));
    let (day, hour) = match beijing {
        Some(t) => (t.weekday().num_days_from_monday() as usize, t.hour()),
        None => (at.weekday().num_days_from_monday() as usize, at.hour()),
    };
    let part = if hour < 12 {
        "AM"
    } else if hour < 18 {
        "PM"
    } else {
        "EVE"
    };
    format!("{}_{part}", DAYS[day])
}

/// The weekly slots a time window covers (each once; at most all 21 of a week).
pub fn slots_between(starts: DateTime<Utc>, ends: DateTime<Utc>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut at = starts;
    while at < ends && out.len() < DAYS.len() * 3 {
        let s = slot(at);
        if !out.contains(&s) {
            out.push(s);
        }
        // On to the start of the next part of the day (12:00, 18:00 or midnight in Beijing).
        let hour = (at + Duration::hours(8)).hour();
        let next_hour = if hour < 12 {
            12
        } else if hour < 18 {
            18
        } else {
            24
        };
        let into_hour = Duration::minutes(i64::from(at.minute())) + Duration::seconds(i64::from(at.second()));
        at = at + Duration::hours(i64::from(next_hour - hour)) - into_hour;
    }
    out
}

/// Scores one volunteer for one demand.
pub fn score(d: &demand::Model, category_code: &str, v: &volunteer::Model, recent: u64) -> ScoreParts {
    let offers: Vec<String> = list(&v.categories);
    let skills: Vec<String> = list(&v.skills);
    let wanted: Vec<String> = list(&d.skills_wanted);
    let availability: Vec<String> = list(&v.availability);
    let matched = wanted.iter().filter(|w| skills.contains(w)).count();
    ScoreParts {
        category: if offers.iter().any(|c| c == category_code) { 40.0 } else { 0.0 },
        skills: if wanted.is_empty() { 0.0 } else { round(30.0 * matched as f64 / wanted.len() as f64) },
        availability: if slots_between(d.starts_at, d.ends_at).iter().any(|s| availability.contains(s)) { 15.0 } else { 0.0 },
        compound: if d.compound_id.is_some() && d.compound_id == v.compound_id { 10.0 } else { 0.0 },
        fairness: round(5.0 * (1.0 - recent.min(5) as f64 / 5.0)),
    }
}

/// Attended sign-ups per person in the last 90 days.
async fn recent_service(cx: &Cx, people: Vec<Uuid>) -> AppResult<HashMap<Uuid, u64>> {
    if people.is_empty() {
        return Ok(HashMap::new());
    }
    let since = Utc::now() - Duration::days(90);
    let rows: Vec<(Uuid, i64)> = sign_up::Entity::find()
        .select_only()
        .column(sign_up::Column::PersonId)
        .column_as(sign_up::Column::Id.count(), "n")
        .filter(sign_up::Column::PersonId.is_in(people))
        .filter(sign_up::Column::CheckedInAt.gte(since))
        .group_by(sign_up::Column::PersonId)
        .into_tuple()
        .all(&cx.db)
        .await?;
    Ok(rows.into_iter().map(|(p, n)| (p, n.max(0) as u64)).collect())
}

async fn category_codes(cx: &Cx) -> AppResult<HashMap<Uuid, String>> {
    Ok(service_category::Entity::find().all(&cx.db).await?.into_iter().map(|c| (c.id, c.code)).collect())
}

/// Volunteers ranked for each demand, best first, for many demands at once (a fixed number of
/// statements however many demands). Only demands whose community the caller is staff of get
/// suggestions; others map to an empty ranking.
pub async fn suggested_volunteers(cx: &Cx, demand_ids: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<(volunteer::Model, ScoreParts)>>> {
    cx.scope.require_authenticated()?;
    let demands: Vec<demand::Model> = demand::Entity::find()
        .filter(demand::Column::Id.is_in(demand_ids.iter().copied()))
        .filter(published_filter(&cx.scope, demand::Column::CommunityId))
        .all(&cx.db)
        .await?
        .into_iter()
        .filter(|d| suggests_volunteers(&cx.scope, d.community_id))
        .collect();
    let mut out: HashMap<Uuid, Vec<(volunteer::Model, ScoreParts)>> = demand_ids.iter().map(|id| (*id, Vec::new())).collect();
    if demands.is_empty() {
        return Ok(out);
    }
    let codes = category_codes(cx).await?;
    let candidates = volunteer::Entity::find()
        .filter(volunteer::Column::CommunityId.is_in(demands.iter().map(|d| d.community_id)))
        .filter(volunteer::Column::Status.eq(VolunteerStatus::Active))
        .order_by_asc(volunteer::Column::Id)
        .all(&cx.db)
        .await?;
    let recent = recent_service(cx, candidates.iter().map(|v| v.person_id).collect()).await?;
    for d in demands {
        let code = codes.get(&d.category_id).map(String::as_str).unwrap_or("");
        let mut scored: Vec<(volunteer::Model, ScoreParts)> = candidates
            .iter()
            .filter(|v| v.community_id == d.community_id)
            .map(|v| (v.clone(), score(&d, code, v, recent.get(&v.person_id).copied().unwrap_or(0))))
            .collect();
        rank(&mut scored, |v| v.id);
        out.insert(d.id, scored);
    }
    Ok(out)
}

/// Open demands ranked for each volunteer, best first, for many volunteers at once.
pub async fn suggested_demands(cx: &Cx, volunteer_ids: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<(demand::Model, ScoreParts)>>> {
    cx.scope.require_authenticated()?;
    let volunteers = volunteer::Entity::find()
        .filter(volunteer::Column::Id.is_in(volunteer_ids.iter().copied()))
        .filter(volunteer_filter(&cx.scope))
        // Someone no longer volunteering there is offered nothing of that community.
        .filter(volunteer::Column::Status.eq(VolunteerStatus::Active))
        .all(&cx.db)
        .await?;
    let mut out: HashMap<Uuid, Vec<(demand::Model, ScoreParts)>> = volunteer_ids.iter().map(|id| (*id, Vec::new())).collect();
    if volunteers.is_empty() {
        return Ok(out);
    }
    let codes = category_codes(cx).await?;
    let open = demand::Entity::find()
        .filter(demand::Column::CommunityId.is_in(volunteers.iter().map(|v| v.community_id)))
        .filter(published_filter(&cx.scope, demand::Column::CommunityId))
        .filter(demand::Column::Status.eq(DemandStatus::Open))
        .filter(demand::Column::EndsAt.gt(Utc::now()))
        .order_by_asc(demand::Column::Id)
        .limit(2_000)
        .all(&cx.db)
        .await?;
    let recent = recent_service(cx, volunteers.iter().map(|v| v.person_id).collect()).await?;
    for v in volunteers {
        let times = recent.get(&v.person_id).copied().unwrap_or(0);
        let mut scored: Vec<(demand::Model, ScoreParts)> = open
            .iter()
            .filter(|d| d.community_id == v.community_id)
            .map(|d| (d.clone(), score(d, codes.get(&d.category_id).map(String::as_str).unwrap_or(""), &v, times)))
            .collect();
        rank(&mut scored, |d| d.id);
        out.insert(v.id, scored);
    }
    Ok(out)
}

/// Best score first; ties in creation order, so the same data always ranks the same.
fn rank<T>(scored: &mut [(T, ScoreParts)], id: impl Fn(&T) -> Uuid) {
    scored.sort_by(|a, b| b.1.total().total_cmp(&a.1.total()).then(id(&a.0).cmp(&id(&b.0))));
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn slots_are_in_beijing_time() {
        // 2026-11-28 is a Saturday; 01:00 UTC is 09:00 in Beijing.
        assert_eq!(slot(Utc.with_ymd_and_hms(2026, 11, 28, 1, 0, 0).unwrap()), "SAT_AM"); // ok: test
        assert_eq!(slot(Utc.with_ymd_and_hms(2026, 11, 28, 11, 0, 0).unwrap()), "SAT_EVE"); // ok: test
    }

    #[test]
    fn a_window_covers_every_slot_it_touches() {
        let at = |d, h, m| Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap(); // ok: test
        // Saturday 10:30 to 19:15 Beijing time: morning, afternoon and evening.
        assert_eq!(slots_between(at(28, 2, 30), at(28, 11, 15)), ["SAT_AM", "SAT_PM", "SAT_EVE"]);
        // Within one part of the day, and ending exactly where the next begins.
        assert_eq!(slots_between(at(28, 1, 0), at(28, 4, 0)), ["SAT_AM"]);
        // Saturday evening into Sunday morning.
        assert_eq!(slots_between(at(28, 12, 0), at(29, 2, 0)), ["SAT_EVE", "SUN_AM"]);
        // A fortnight covers the whole week once.
        assert_eq!(slots_between(at(2, 0, 0), at(16, 0, 0)).len(), 21);
        assert!(slots_between(at(28, 4, 0), at(28, 4, 0)).is_empty());
    }
}
