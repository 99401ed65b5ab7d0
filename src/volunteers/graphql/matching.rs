//! Matching demand and supply (供需精准对接): suggestions with the parts of their scores.

use async_graphql::{Object, SimpleObject};

use super::{Demand, Volunteer};
use crate::volunteers::matching::ScoreParts;

/// The parts of a matching score (see the ranking rules in the API documentation of `suggestedVolunteers`).
#[derive(SimpleObject)]
pub struct ScorePartsView {
    /// 40 when the volunteer offers the demand's category.
    pub category: f64,
    /// Up to 30, by the share of wanted skills the volunteer has.
    pub skills: f64,
    /// 15 when the volunteer is available in the demand's weekly slot.
    pub availability: f64,
    /// 10 when the volunteer lives in the demand's compound.
    pub compound: f64,
    /// Up to 5: more for those who served less in the last 90 days.
    pub fairness: f64,
}

impl From<ScoreParts> for ScorePartsView {
    fn from(p: ScoreParts) -> Self {
        ScorePartsView { category: p.category, skills: p.skills, availability: p.availability, compound: p.compound, fairness: p.fairness }
    }
}

/// A volunteer suggested for a demand.
pub struct Suggestion {
    pub(super) volunteer: Volunteer,
    pub(super) parts: ScoreParts,
}

/// A volunteer suggested for a demand, with the score and its parts.
#[Object]
impl Suggestion {
    /// The volunteer.
    async fn volunteer(&self) -> &Volunteer {
        &self.volunteer
    }
    /// Total score (0 to 100).
    async fn score(&self) -> f64 {
        self.parts.total()
    }
    /// What the score is made of.
    async fn parts(&self) -> ScorePartsView {
        self.parts.into()
    }
}

/// A demand suggested to a volunteer.
pub struct DemandSuggestion {
    pub(super) demand: Demand,
    pub(super) parts: ScoreParts,
}

/// A demand suggested to a volunteer, with the score and its parts.
#[Object]
impl DemandSuggestion {
    /// The demand.
    async fn demand(&self) -> &Demand {
        &self.demand
    }
    /// Total score (0 to 100).
    async fn score(&self) -> f64 {
        self.parts.total()
    }
    /// What the score is made of.
    async fn parts(&self) -> ScorePartsView {
        self.parts.into()
    }
}
