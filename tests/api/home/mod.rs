//! Home co-building: two-way selection of building leaders, the history of who runs a compound
//! (never two at once, also under racing changes), renovation projects, the shared-income ledger,
//! property-fee arrears, an audit record per
//! mutation, and a flat statement count for compound pages.

use gongzhi::auth::Role;
use serde_json::{Value, json};

use crate::audit::{audited, refused};
use crate::fixtures::Fixture;
use crate::support::TestApp;

mod arrears;
mod audit;
mod demo;
pub mod fixtures;
mod history;
mod ledger;
mod pages;
mod projects;
mod residents;
mod selection;

pub const APPLY: &str =
    "mutation($i: ApplyForBuildingLeaderInput!) { applyForBuildingLeader(input: $i) { buildingLeader { id status version initiatedBy } } }";
pub const NOMINATE: &str =
    "mutation($i: NominateBuildingLeaderInput!) { nominateBuildingLeader(input: $i) { buildingLeader { id status version initiatedBy } } }";
pub const ANSWER: &str = "mutation($i: AnswerBuildingLeaderSelectionInput!) { answerBuildingLeaderSelection(input: $i) { buildingLeader { id status version termStart residentsSide memberAgreedAt residentsAgreedAt } } }";
pub const STEP_DOWN: &str =
    "mutation($i: StepDownBuildingLeaderInput!) { stepDownBuildingLeader(input: $i) { buildingLeader { id status endedOn endReason } } }";
pub const ELECT: &str = "mutation($i: ElectOwnersCommitteeInput!) { electOwnersCommittee(input: $i) { ownersCommittee { id inOffice termStart } ended { id endedOn inOffice } } }";
pub const CHANGE_MANAGER: &str = "mutation($i: ChangePropertyManagerInput!) { changePropertyManager(input: $i) { propertyManager { id kind mode inCharge version } ended { id endedOn } } }";
pub const END_MANAGEMENT: &str =
    "mutation($i: EndPropertyManagementInput!) { endPropertyManagement(input: $i) { propertyManager { id endedOn inCharge } } }";

/// The home as `token` sees it.
pub async fn home(app: &TestApp, token: &str, home_id: &str) -> Value {
    let q = r#"query($id: ID!) { home(compoundId: $id) {
        id managementMode
        buildings { id label households leader { id name phone personalDataVisible } leaderHistory { id status name endedOn endReason } }
        ownersCommittee { id termStart members { name role phone personalDataVisible } }
        ownersCommitteeHistory { id termStart endedOn inOffice }
        propertyManager { id name kind feeRateFen }
        propertyManagerHistory { id name contractStart endedOn inCharge mode }
        leaderSelections { id status name initiatedBy }
    } }"#;
    app.ok(Some(token), q, json!({ "id": home_id })).await["home"].clone()
}

/// The error code of a response, if any.
pub fn code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}
