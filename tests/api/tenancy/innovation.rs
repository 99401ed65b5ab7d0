//! Innovation-case selection per principal: rounds, cases, scores, reviewers and rankings of two
//! streets (an open and a closed round in one, a closed round in the other), through every root
//! field, every relation and `node(id:)`; nothing comes back that the table in
//! `src/innovation/visibility.rs` does not give the principal.

use entity::{case_score, innovation_case, round_reviewer, selection_round};

use super::*;
use crate::fixtures::Fixture;
use crate::innovation::{CLOSE, Selection, case_input, open_round};

const PROBE: &str = r#"query($ids: [ID!]!) {
  selectionRounds(first: 100) { totalCount edges { node { id status street { id }
    reviewers { id kind unit { id } round { id } }
    ranking(first: 100) { rank total case { id } } } } }
  innovationCases(first: 100) { totalCount edges { node { ...K } } }
  nodes(ids: $ids) { __typename ... on Node { id } }
}
fragment K on InnovationCase { id status communityName round { id } community { id }
  submittedBy { __typename ... on PartyOrganization { id } ... on CoBuildingUnit { id } }
  scores { id total reviewer { id } case { id } } }"#;

/// Every row of the noun, read straight from the database.
struct Rows {
    rounds: Vec<selection_round::Model>,
    cases: Vec<innovation_case::Model>,
    scores: Vec<case_score::Model>,
    reviewers: Vec<round_reviewer::Model>,
}

impl Rows {
    async fn read(app: &TestApp) -> Rows {
        Rows {
            rounds: selection_round::Entity::find().all(&app.db).await.unwrap(),
            cases: innovation_case::Entity::find().all(&app.db).await.unwrap(),
            scores: case_score::Entity::find().all(&app.db).await.unwrap(),
            reviewers: round_reviewer::Entity::find().all(&app.db).await.unwrap(),
        }
    }

    fn closed(&self, round: Uuid) -> bool {
        self.rounds.iter().any(|r| r.id == round && r.status == selection_round::RoundStatus::Closed)
    }

    /// Every global id of the noun.
    fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        ids.extend(self.rounds.iter().map(|r| global_id("SelectionRound", r.id).to_string()));
        ids.extend(self.cases.iter().map(|r| global_id("InnovationCase", r.id).to_string()));
        ids.extend(self.scores.iter().map(|r| global_id("CaseScore", r.id).to_string()));
        ids.extend(self.reviewers.iter().map(|r| global_id("RoundReviewer", r.id).to_string()));
        ids
    }
}

/// A principal as the visibility table sees it, restated here independently.
#[derive(Default)]
struct Who {
    /// Streets whose rounds and selected cases it sees.
    streets: HashSet<Uuid>,
    /// The street it runs.
    runs: Option<Uuid>,
    /// The community whose cases it sees as their submitters' staff.
    staff_of: Option<Uuid>,
    /// The unit it is (its own cases).
    unit: Option<Uuid>,
    /// As a reviewer: (person, unit).
    person: Option<Uuid>,
    /// Communities it sees (for the `community` relation).
    communities: HashSet<Uuid>,
}

impl Who {
    fn reviews(&self, r: &round_reviewer::Model) -> bool {
        (self.person.is_some() && r.person_id == self.person) || (self.unit.is_some() && r.unit_id == self.unit)
    }

    fn reviews_round(&self, rows: &Rows, round: Uuid) -> bool {
        rows.reviewers.iter().any(|r| r.round_id == round && self.reviews(r))
    }

    fn round(&self, rows: &Rows, r: &selection_round::Model) -> bool {
        self.streets.contains(&r.street_id) || self.runs == Some(r.street_id) || self.reviews_round(rows, r.id)
    }

    fn case(&self, rows: &Rows, c: &innovation_case::Model) -> bool {
        (self.streets.contains(&c.street_id) && c.status == innovation_case::CaseStatus::Selected)
            || self.runs == Some(c.street_id)
            || self.staff_of == Some(c.community_id)
            || (self.unit.is_some() && c.unit_id == self.unit)
            || self.reviews_round(rows, c.round_id)
    }

    fn score(&self, rows: &Rows, s: &case_score::Model) -> bool {
        let own = rows.reviewers.iter().any(|r| r.id == s.reviewer_id && self.reviews(r));
        self.runs == Some(s.street_id) || own || (self.reviews_round(rows, s.round_id) && rows.closed(s.round_id))
    }

    fn reviewer(&self, r: &round_reviewer::Model) -> bool {
        self.runs == Some(r.street_id) || self.reviews(r)
    }

    fn ranking(&self, rows: &Rows, round: &selection_round::Model) -> bool {
        self.runs == Some(round.street_id) || (self.reviews_round(rows, round.id) && rows.closed(round.id))
    }
}

fn id_set(list: &Value, path: &str) -> HashSet<Uuid> {
    list.as_array().unwrap().iter().map(|e| decode(e.pointer(path).unwrap().as_str().unwrap()).unwrap().1).collect()
}

fn check_innovation(label: &str, data: &Value, rows: &Rows, who: &Who) {
    let want: HashSet<Uuid> = rows.rounds.iter().filter(|r| who.round(rows, r)).map(|r| r.id).collect();
    let rounds = &data["selectionRounds"];
    assert_eq!(id_set(&rounds["edges"], "/node/id"), want, "{label}: selectionRounds");
    assert_eq!(rounds["totalCount"], want.len(), "{label}: selectionRounds totalCount");
    for e in rounds["edges"].as_array().unwrap() {
        let n = &e["node"];
        let round = rows.rounds.iter().find(|r| r.id == decode(n["id"].as_str().unwrap()).unwrap().1).unwrap();
        let reviewers: HashSet<Uuid> = rows.reviewers.iter().filter(|r| r.round_id == round.id && who.reviewer(r)).map(|r| r.id).collect();
        assert_eq!(id_set(&n["reviewers"], "/id"), reviewers, "{label}: reviewers of {}", round.title);
        for r in n["reviewers"].as_array().unwrap() {
            if let (Some(me), Some(unit)) = (who.unit, r["unit"]["id"].as_str()) {
                assert_eq!(decode(unit).unwrap().1, me, "{label}: a unit sees only itself");
            }
        }
        let ranked: HashSet<Uuid> = if who.ranking(rows, round) {
            rows.cases.iter().filter(|c| c.round_id == round.id).map(|c| c.id).collect()
        } else {
            HashSet::new()
        };
        assert_eq!(id_set(&n["ranking"], "/case/id"), ranked, "{label}: ranking of {}", round.title);
        if let Some(street) = n["street"]["id"].as_str() {
            let street = decode(street).unwrap().1;
            assert!(who.streets.contains(&street) || who.runs == Some(street), "{label}: street {street}");
        }
    }
    let want: HashSet<Uuid> = rows.cases.iter().filter(|c| who.case(rows, c)).map(|c| c.id).collect();
    let cases = &data["innovationCases"];
    assert_eq!(id_set(&cases["edges"], "/node/id"), want, "{label}: innovationCases");
    assert_eq!(cases["totalCount"], want.len(), "{label}: innovationCases totalCount");
    for e in cases["edges"].as_array().unwrap() {
        let n = &e["node"];
        let case = decode(n["id"].as_str().unwrap()).unwrap().1;
        let scores: HashSet<Uuid> = rows.scores.iter().filter(|s| s.case_id == case && who.score(rows, s)).map(|s| s.id).collect();
        assert_eq!(id_set(&n["scores"], "/id"), scores, "{label}: scores of a case");
        for s in n["scores"].as_array().unwrap() {
            if let Some(r) = s["reviewer"]["id"].as_str() {
                let r = rows.reviewers.iter().find(|x| x.id == decode(r).unwrap().1).unwrap();
                assert!(who.reviewer(r), "{label}: another reviewer shown");
            }
        }
        if let Some(c) = n["community"]["id"].as_str() {
            assert!(who.communities.contains(&decode(c).unwrap().1), "{label}: community outside the scope");
        }
        if let (Some(me), Some("CoBuildingUnit")) = (who.unit, n["submittedBy"]["__typename"].as_str()) {
            assert_eq!(decode(n["submittedBy"]["id"].as_str().unwrap()).unwrap().1, me, "{label}: a unit sees only itself");
        }
        if let (Some("PartyOrganization"), Some(o)) = (n["submittedBy"]["__typename"].as_str(), n["submittedBy"]["id"].as_str()) {
            let org = decode(o).unwrap().1;
            let community = rows.cases.iter().find(|c| c.organization_id == Some(org)).unwrap().community_id;
            assert!(who.communities.contains(&community), "{label}: a party organisation outside the scope");
        }
    }
    // node(id:) for every row of both streets: exactly the visible ones.
    for (n, id) in data["nodes"].as_array().unwrap().iter().zip(rows.ids()) {
        let (kind, uuid) = decode(&id).unwrap();
        let may = match kind.as_str() {
            "SelectionRound" => rows.rounds.iter().any(|r| r.id == uuid && who.round(rows, r)),
            "InnovationCase" => rows.cases.iter().any(|c| c.id == uuid && who.case(rows, c)),
            "CaseScore" => rows.scores.iter().any(|s| s.id == uuid && who.score(rows, s)),
            "RoundReviewer" => rows.reviewers.iter().any(|r| r.id == uuid && who.reviewer(r)),
            other => panic!("{label}: unexpected kind {other}"),
        };
        assert_eq!(!n.is_null(), may, "{label}: node({kind} {uuid}): {n}");
        if may {
            assert_eq!(n["id"].as_str(), Some(id.as_str()), "{label}");
        }
    }
}

both_backends! {
    async fn every_principal_sees_innovation_selection_only_inside_its_scope(backend: Backend) {
        let app = TestApp::demo(&backend).await;
        let b = backend.name();
        // Street one: an open round (the Selection's) and a closed one, the same reviewers.
        let s = Selection::new(&app).await;
        let owner = Fixture::unit(&app, "提交单位").await.seated_in(&app, &s.c).await;
        let closed = open_round(&app, &s.street, &s.person, &s.judge).await;
        let (person, judge) = (s.person.token(&app), s.judge.token(&app));
        for round in [&s.round, &closed] {
            let mut cases = Vec::new();
            for community in [&s.a, &s.b, &s.c] {
                let d = app.ok(Some(&community.staff(&app)), SUBMIT_CASE, case_input(round, &community.branch, None, "案例")).await;
                cases.push(d["submitInnovationCase"]["case"]["id"].as_str().unwrap().to_owned());
            }
            let d = app.ok(Some(&owner.token(&app)), SUBMIT_CASE, case_input(round, &owner.id, Some(&s.c.id), "单位案例")).await;
            cases.push(d["submitInnovationCase"]["case"]["id"].as_str().unwrap().to_owned());
            // The person (of 甲) scores 乙, 丙 and the unit's; the judge (in 乙) 甲, 丙 and the unit's.
            for (token, case) in [(&person, &cases[1]), (&person, &cases[2]), (&person, &cases[3]), (&judge, &cases[0]), (&judge, &cases[2]), (&judge, &cases[3])] {
                app.ok(Some(token), SCORE_CASE, json!({ "i": { "caseId": case, "points": [10, 10, 10] } })).await;
            }
        }
        app.ok(Some(&s.street.admin(&app)), CLOSE, json!({ "i": { "id": closed, "select": 2 } })).await;
        // Street two: a closed round with its own reviewer and a selected case.
        let other = Fixture::street(&app, "另一街道").await;
        let d_community = other.community(&app, "丁社区").await;
        let e_community = other.community(&app, "戊社区").await;
        let other_person = Fixture::member(&app, &e_community, "外街评审").await;
        let other_judge = Fixture::unit(&app, "外街单位").await;
        let other_round = open_round(&app, &other, &other_person, &other_judge).await;
        let d = app.ok(Some(&d_community.staff(&app)), SUBMIT_CASE, case_input(&other_round, &d_community.branch, None, "丁案例")).await;
        let other_case = d["submitInnovationCase"]["case"]["id"].as_str().unwrap().to_owned();
        app.ok(Some(&other_person.token(&app)), SCORE_CASE, json!({ "i": { "caseId": other_case, "points": [1, 2, 3] } })).await;
        app.ok(Some(&other.admin(&app)), CLOSE, json!({ "i": { "id": other_round, "select": 1 } })).await;

        let rows = Rows::read(&app).await;
        let (s1, s2) = (s.street.uuid, other.uuid);
        let ours = |street: Uuid| street == s1 || street == s2;
        let counts = (
            rows.rounds.iter().filter(|r| ours(r.street_id)).count(),
            rows.cases.iter().filter(|r| ours(r.street_id)).count(),
            rows.scores.iter().filter(|r| ours(r.street_id)).count(),
            rows.reviewers.iter().filter(|r| ours(r.street_id)).count(),
        );
        assert_eq!(counts, (3, 9, 13, 6), "[{b}] the fixture");
        let ids = rows.ids();
        let street_one: HashSet<Uuid> = [s.a.uuid, s.b.uuid, s.c.uuid].into();
        let member_of_c = Fixture::member(&app, &s.c, "丙社区党员").await;
        let all_streets: HashSet<Uuid> = region::Entity::find().filter(region::Column::Kind.eq(region::RegionKind::Street)).all(&app.db).await.unwrap().into_iter().map(|r| r.id).collect();
        let cases: Vec<(String, String, Who)> = vec![
            (format!("[{b}] city admin"), app.token(Role::CityAdmin, "jinjiang"),
                Who { streets: all_streets.clone(), communities: community::Entity::find().all(&app.db).await.unwrap().into_iter().map(|c| c.id).collect(), ..Who::default() }),
            (format!("[{b}] street admin"), s.street.admin(&app), Who { streets: [s1].into(), runs: Some(s1), communities: street_one.clone(), ..Who::default() }),
            (format!("[{b}] community admin of 甲"), s.a.admin(&app), Who { streets: [s1].into(), staff_of: Some(s.a.uuid), communities: [s.a.uuid].into(), ..Who::default() }),
            (format!("[{b}] community staff of 丙"), s.c.staff(&app), Who { streets: [s1].into(), staff_of: Some(s.c.uuid), communities: [s.c.uuid].into(), ..Who::default() }),
            (format!("[{b}] the submitting unit"), owner.token(&app), Who { streets: [s1].into(), unit: Some(owner.uuid), communities: [s.c.uuid].into(), ..Who::default() }),
            (format!("[{b}] the reviewing unit"), judge.clone(), Who { streets: [s1].into(), unit: Some(s.judge.uuid), communities: [s.b.uuid].into(), ..Who::default() }),
            (format!("[{b}] the reviewing person"), person.clone(),
                Who { streets: [s1].into(), person: Some(s.person.person.parse().unwrap()), communities: [s.a.uuid].into(), ..Who::default() }),
            (format!("[{b}] a member of 丙"), member_of_c.token(&app),
                Who { streets: [s1].into(), person: Some(member_of_c.person.parse().unwrap()), communities: [s.c.uuid].into(), ..Who::default() }),
            (format!("[{b}] reporter"), s.street.reporter(&app), Who { streets: [s1].into(), communities: street_one.clone(), ..Who::default() }),
            (format!("[{b}] the other street's admin"), other.admin(&app),
                Who { streets: [s2].into(), runs: Some(s2), communities: [d_community.uuid, e_community.uuid].into(), ..Who::default() }),
            (format!("[{b}] the other street's reviewer"), other_person.token(&app),
                Who { streets: [s2].into(), person: Some(other_person.person.parse().unwrap()), communities: [e_community.uuid].into(), ..Who::default() }),
            (format!("[{b}] a reviewing unit seated nowhere"), other_judge.token(&app), Who { unit: Some(other_judge.uuid), ..Who::default() }),
        ];
        for (label, token, who) in &cases {
            let data = app.ok(Some(token), PROBE, json!({ "ids": ids })).await;
            check_innovation(label, &data, &rows, who);
        }
        // The reviewing unit through an API key bound to street one: the same as its login.
        let key = s.judge.api_key(&app, &s.b).await;
        let req = axum::http::Request::post("/graphql")
            .header("content-type", "application/json")
            .header("authorization", format!("ApiKey {}", key.secret))
            .body(axum::body::Body::from(json!({ "query": PROBE, "variables": { "ids": ids } }).to_string()))
            .unwrap();
        let (_, _, body) = app.send(req).await;
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert!(body["errors"].is_null(), "[{b}] {body}");
        let who = Who { streets: [s1].into(), unit: Some(s.judge.uuid), communities: [s.b.uuid].into(), ..Who::default() };
        check_innovation(&format!("[{b}] the reviewing unit's API key"), &body["data"], &rows, &who);
        // The rule is not empty: somebody sees each kind of row, and nobody outside sees street one.
        let admin = app.ok(Some(&s.street.admin(&app)), PROBE, json!({ "ids": ids })).await;
        assert_eq!(admin["innovationCases"]["totalCount"], 8, "[{b}]");
        let outsider = app.ok(Some(&other.admin(&app)), PROBE, json!({ "ids": ids })).await;
        assert_eq!(outsider["innovationCases"]["totalCount"], 1, "[{b}]");
        // Anonymous callers: every root field refused.
        for root in ["{ selectionRounds { totalCount } }", "{ innovationCases { totalCount } }"] {
            assert_eq!(app.error_code(None, root, json!({})).await, "UNAUTHENTICATED", "[{b}] {root}");
        }
        assert_eq!(app.error_code(None, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", json!({ "ids": ids[..3] })).await, "UNAUTHENTICATED");
    }
}

const SUBMIT_CASE: &str = crate::innovation::SUBMIT;
const SCORE_CASE: &str = crate::innovation::SCORE;
