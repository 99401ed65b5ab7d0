//! A selection round made for one test: a street of its own with three communities, a person
//! (a party member of the first) and a unit (seated in the second) named reviewers.

use serde_json::{Value, json};

use crate::fixtures::{Community, Fixture, Person, Street, Unit};
use crate::support::TestApp;

pub const OPEN: &str = "mutation($i: OpenSelectionRoundInput!) { openSelectionRound(input: $i) { round { id version status } } }";
pub const SUBMIT: &str = "mutation($i: SubmitInnovationCaseInput!) { submitInnovationCase(input: $i) { case { id status } } }";
pub const SCORE: &str = "mutation($i: ScoreInnovationCaseInput!) { scoreInnovationCase(input: $i) { score { id total } } }";
pub const CLOSE: &str =
    "mutation($i: CloseSelectionRoundInput!) { closeSelectionRound(input: $i) { round { id status selectedCount version } } }";

/// The round's criteria: 创新性 40, 实效性 40, 可推广性 20.
pub fn criteria() -> Value {
    json!([{ "name": "创新性", "maxPoints": 40 }, { "name": "实效性", "maxPoints": 40 }, { "name": "可推广性", "maxPoints": 20 }])
}

pub struct Selection {
    pub street: Street,
    pub a: Community,
    pub b: Community,
    pub c: Community,
    /// A party member of `a`, named reviewer.
    pub person: Person,
    /// A unit seated on `b`'s joint committee, named reviewer.
    pub judge: Unit,
    /// The open round's global id.
    pub round: String,
}

impl Selection {
    pub async fn new(app: &TestApp) -> Selection {
        let street = Fixture::street(app, "评选街道").await;
        let a = street.community(app, "甲社区").await;
        let b = street.community(app, "乙社区").await;
        let c = street.community(app, "丙社区").await;
        let person = Fixture::member(app, &a, "评审员").await;
        let judge = Fixture::unit(app, "评审单位").await.seated_in(app, &b).await;
        let round = open_round(app, &street, &person, &judge).await;
        Selection { street, a, b, c, person, judge, round }
    }

    /// Submits a case of `community`'s community branch through its staff; returns its id.
    pub async fn case_of(&self, app: &TestApp, community: &Community, title: &str) -> String {
        let d = app.ok(Some(&community.staff(app)), SUBMIT, case_input(&self.round, &community.branch, None, title)).await;
        d["submitInnovationCase"]["case"]["id"].as_str().unwrap().to_owned()
    }

    /// A reviewer's score of `case`: the response body.
    pub async fn score(&self, app: &TestApp, token: &str, case: &str, points: [i32; 3]) -> Value {
        app.post(Some(token), SCORE, json!({ "i": { "caseId": case, "points": points } })).await.1
    }
}

/// Opens a round in `street` with the person and the unit as reviewers; returns its id.
pub async fn open_round(app: &TestApp, street: &Street, person: &Person, judge: &Unit) -> String {
    let d = app
        .ok(
            Some(&street.admin(app)),
            OPEN,
            json!({ "i": { "title": "城市基层党建创新案例评选", "criteria": criteria(),
                "reviewers": [{ "personId": person.person }, { "unitId": judge.id }] } }),
        )
        .await;
    d["openSelectionRound"]["round"]["id"].as_str().unwrap().to_owned()
}

/// The input of a case submitted by `submitter` (with `community` for a unit).
pub fn case_input(round: &str, submitter: &str, community: Option<&str>, title: &str) -> Value {
    json!({ "i": { "roundId": round, "submitterId": submitter, "communityId": community, "title": title,
        "summary": "成立社区联合党组织，把党支部建到小区里", "platform": "ORGANISATION_GRAPH",
        "evidenceLinks": ["https://example.org/meiling/case.html"] } })
}
