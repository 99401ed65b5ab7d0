//! The volunteer platform: a fixture built through the API in 竹园 and 梅岭, and a probe of every
//! root field held to the scope.

use super::*;

mod moved_away;
mod principals;

const REGISTER: &str = "mutation($i: RegisterVolunteerInput!) { registerVolunteer(input: $i) { volunteer { id person { id uuid } } } }";
const REQUEST_CHECK_IN: &str = "mutation($i: RequestCheckInInput!) { requestCheckIn(input: $i) { checkIn { id status } } }";
const APPROVE_CHECK_IN: &str = "mutation($i: CheckInDecisionInput!) { approveCheckIn(input: $i) { checkIn { id status } } }";
const POST_DEMAND: &str = "mutation($i: PostDemandInput!) { postDemand(input: $i) { demand { id } } }";
const INVITE: &str = "mutation($i: InviteVolunteerInput!) { inviteVolunteer(input: $i) { invitation { id } } }";
const CREATE_ACTIVITY: &str = "mutation($i: CreateActivityInput!) { createActivity(input: $i) { activity { id } } }";
const SIGN_UP: &str = "mutation($i: SignUpInput!) { signUp(input: $i) { signUp { id status } } }";
const ATTEND_IN: &str = "mutation($i: AttendanceInput!) { checkInAttendance(input: $i) { signUp { checkedInAt } } }";
const ATTEND_OUT: &str = "mutation($i: AttendanceInput!) { checkOutAttendance(input: $i) { signUp { checkedOutAt } } }";

/// The phone every fixture volunteer registers with.
const PHONE: &str = "13912345678";

/// One community's share of the fixture.
struct Side {
    community: Uuid,
    /// A volunteer registered by staff (a new person): invited to the demand, signed up and attended.
    volunteer_person: Uuid,
    /// A party member of the community who checked in (approved) and signed up.
    member_person: Uuid,
}

/// Builds, through the API as staff and volunteers do: a volunteer registered by staff, a party
/// member's approved check-in (which makes them a volunteer), a demand with an invitation, an
/// activity from the demand with two sign-ups, one of them attended.
async fn build_side(app: &TestApp, code: &str) -> Side {
    let staff = app.token(Role::CommunityStaff, code);
    let d = app
        .ok(
            Some(&app.street_admin()),
            "query($code: String!) { community(code: $code) { id units { id } compounds(first: 1) { edges { node { id } } } } serviceCategories { id code } }",
            json!({ "code": code }),
        )
        .await;
    let community = d["community"]["id"].as_str().unwrap().to_owned();
    let community_uuid = decode(&community).unwrap().1;
    let compound = d["community"]["compounds"]["edges"][0]["node"]["id"].clone();
    let category = d["serviceCategories"].as_array().unwrap().iter().find(|c| c["code"] == "elder-care").unwrap()["id"].clone();

    let v = app
        .ok(
            Some(&staff),
            REGISTER,
            json!({ "i": { "communityId": community, "name": format!("义工{code}"), "phone": PHONE,
                "profile": { "categories": ["elder-care"], "skills": ["急救"], "compoundId": compound } } }),
        )
        .await;
    let volunteer_id = v["registerVolunteer"]["volunteer"]["id"].as_str().unwrap().to_owned();
    let volunteer_person: Uuid = v["registerVolunteer"]["volunteer"]["person"]["uuid"].as_str().unwrap().parse().unwrap();

    // A party member registered in this community only, so that their communities are exactly this one.
    let members = party_member::Entity::find().all(&app.db).await.unwrap();
    let member_person = members
        .iter()
        .filter(|m| m.community_id == community_uuid)
        .map(|m| m.person_id)
        .find(|p| members.iter().filter(|m| m.person_id == *p).count() == 1)
        .expect("a party member registered in one community only");
    let home = person::Entity::find_by_id(member_person).one(&app.db).await.unwrap().unwrap().home_community_id;
    assert!(home.is_none_or(|h| h == community_uuid), "the member lives in another community");
    let member = app.token(Role::Member, &member_person.to_string());
    let c = app
        .ok(
            Some(&member),
            REQUEST_CHECK_IN,
            json!({ "i": { "communityId": community, "workUnit": "晋江市税务局", "organizationRelation": "晋江市税务局机关党委" } }),
        )
        .await;
    let check_in_id = c["requestCheckIn"]["checkIn"]["id"].clone();
    let approved = app.ok(Some(&staff), APPROVE_CHECK_IN, json!({ "i": { "id": check_in_id } })).await;
    assert_eq!(approved["approveCheckIn"]["checkIn"]["status"], "APPROVED");

    let dm = app
        .ok(
            Some(&staff),
            POST_DEMAND,
            json!({ "i": { "communityId": community, "categoryId": category, "compoundId": compound, "title": format!("{code}独居老人探访"),
                "startsAt": "2030-06-01T01:00:00Z", "endsAt": "2030-06-01T04:00:00Z", "headcount": 3, "skillsWanted": ["急救"] } }),
        )
        .await;
    let demand = dm["postDemand"]["demand"]["id"].clone();
    app.ok(Some(&staff), INVITE, json!({ "i": { "demandId": demand, "volunteerId": volunteer_id } })).await;

    let starts = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let ends = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let a = app
        .ok(
            Some(&staff),
            CREATE_ACTIVITY,
            json!({ "i": { "communityId": community, "demandId": demand, "place": format!("{code}党群服务中心"),
                "startsAt": starts, "endsAt": ends, "capacity": 5 } }),
        )
        .await;
    let activity = a["createActivity"]["activity"]["id"].clone();
    let volunteer = app.token(Role::Member, &volunteer_person.to_string());
    let s = app.ok(Some(&volunteer), SIGN_UP, json!({ "i": { "activityId": activity } })).await;
    let sign_up_id = s["signUp"]["signUp"]["id"].clone();
    app.ok(Some(&member), SIGN_UP, json!({ "i": { "activityId": activity } })).await;
    app.ok(Some(&staff), ATTEND_IN, json!({ "i": { "signUpId": sign_up_id } })).await;
    app.ok(Some(&staff), ATTEND_OUT, json!({ "i": { "signUpId": sign_up_id } })).await;
    // A party theme day run by a unit seated on the community's joint committee (活动共联).
    let unit = d["community"]["units"][0]["id"].clone();
    app.ok(
        Some(&staff),
        CREATE_ACTIVITY,
        json!({ "i": { "communityId": community, "categoryId": category, "title": format!("{code}主题党日"), "place": format!("{code}党群服务中心"),
            "startsAt": starts, "endsAt": ends, "capacity": 20, "kind": "PARTY_THEME_DAY", "organiserId": unit } }),
    )
    .await;
    Side { community: community_uuid, volunteer_person, member_person }
}

/// The fixture in 竹园 and 梅岭; every type of the platform has rows on both sides.
async fn build_platform(app: &TestApp) -> (Side, Side) {
    let z = build_side(app, "zhuyuan").await;
    let m = build_side(app, "meiling").await;
    let facts = Facts::read(app).await;
    for kind in ["Volunteer", "CheckIn", "SignUp", "Demand", "Activity", "Invitation"] {
        for side in [&z, &m] {
            assert!(
                facts.platform_rows().iter().any(|(k, _, c)| *k == kind && *c == side.community),
                "the fixture has no {kind} in {}",
                side.community
            );
        }
    }
    (z, m)
}

/// Fragments of the volunteer probe; each query gets the ones it uses.
const FRAGMENTS: &[(&str, &str)] = &[
    ("P", "fragment P on Person { id uuid name phone address gender birthYear personalDataVisible }"),
    (
        "V",
        "fragment V on Volunteer { id active person { ...P } community { id } compound { id community { id } }
           suggestedDemands(first: 50) { score demand { id community { id } compound { id } } } }",
    ),
    ("C", "fragment C on CheckIn { id status person { ...P } community { id } }"),
    ("I", "fragment I on Invitation { id status volunteer { ...V } }"),
    (
        "D",
        "fragment D on Demand { id status community { id } compound { id } category { id } invitations { ...I }
           suggestedVolunteers(first: 50) { score volunteer { ...V } } }",
    ),
    ("S", "fragment S on SignUp { id status person { ...P } activity { id community { id } demand { id } } }"),
    (
        "A",
        "fragment A on Activity { id cancelled kind organiserKind community { id } category { id } demand { ...D } signUps { ...S }
           organisedBy { __typename ... on Community { id } ... on PartyOrganization { id } ... on CoBuildingUnit { id } } }",
    ),
];

/// `body` with the fragments it spreads, transitively.
fn gql(body: &str) -> String {
    let spreads = |text: &str, name: &str| {
        let pattern = format!("...{name}");
        text.match_indices(&pattern).any(|(i, _)| !text[i + pattern.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_'))
    };
    let mut out = body.to_owned();
    let mut added: HashSet<&str> = HashSet::new();
    loop {
        let missing: Vec<&(&str, &str)> = FRAGMENTS.iter().filter(|(name, _)| !added.contains(name) && spreads(&out, name)).collect();
        if missing.is_empty() {
            return out;
        }
        for (name, text) in missing {
            added.insert(name);
            out.push('\n');
            out.push_str(text);
        }
    }
}

/// Every root field of the volunteer platform, one request each (a refused root field nulls the
/// whole answer). `$c` is a community and `$p` a person outside (or at the edge of) the scope.
const V_ROOTS: &[(&str, &str)] = &[
    ("serviceCategories", "{ serviceCategories(includeRetired: true) { id code } }"),
    (
        "volunteers",
        "query($c: ID) { all: volunteers(first: 100) { totalCount edges { node { ...V } } }
           foreign: volunteers(communityId: $c, first: 100) { totalCount edges { node { ...V } } } }",
    ),
    (
        "checkIns",
        "query($c: ID) { all: checkIns(first: 100) { totalCount edges { node { ...C } } }
           foreign: checkIns(communityId: $c, first: 100) { totalCount edges { node { ...C } } }
           approved: checkIns(status: APPROVED, first: 100) { totalCount edges { node { ...C } } } }",
    ),
    (
        "demands",
        "query($c: ID) { all: demands(first: 100) { totalCount edges { node { ...D } } }
           foreign: demands(communityId: $c, first: 100) { totalCount edges { node { ...D } } }
           open: demands(status: OPEN, first: 100) { totalCount edges { node { id } } } }",
    ),
    (
        "activities",
        "query($c: ID) { all: activities(first: 100) { totalCount edges { node { ...A } } }
           foreign: activities(communityId: $c, first: 100) { totalCount edges { node { ...A } } } }",
    ),
    ("serviceRecord", "{ serviceRecord { personId personTimes hours attended { ...S } } }"),
    ("serviceRecordOf", "query($p: ID) { serviceRecord(personId: $p) { personId personTimes hours attended { ...S } } }"),
    (
        "volunteerStatistics",
        "{ volunteerStatistics { volunteers checkedInMembers totals { activities personTimes hours residentsServed } byCategory { category } byMonth { month } } }",
    ),
    (
        "volunteerStatisticsOf",
        "query($c: ID) { volunteerStatistics(communityId: $c) { volunteers checkedInMembers totals { activities personTimes hours residentsServed } } }",
    ),
    (
        "viewer",
        "{ viewer { kind street { id } community { id } unit { id } person { ...P } communities { id } secretaryOf { id compound { id } } } }",
    ),
];

const NODE_FIELDS: &str = "__typename ... on Node { id } ... on Volunteer { ...V } ... on CheckIn { ...C } ... on Demand { ...D } ... on Activity { ...A } ... on SignUp { ...S }";

/// Global ids of a connection's nodes or a list's items.
fn uuids(value: &Value) -> HashSet<Uuid> {
    let items: Vec<&Value> = match value.get("edges") {
        Some(edges) => edges.as_array().unwrap().iter().map(|e| &e["node"]).collect(),
        None => value.as_array().unwrap_or_else(|| panic!("not a list: {value}")).iter().collect(),
    };
    items.into_iter().map(|n| decode(n["id"].as_str().unwrap()).unwrap().1).collect()
}

fn expected<T>(rows: &HashMap<Uuid, T>, keep: impl Fn(&T) -> bool) -> HashSet<Uuid> {
    rows.iter().filter(|(_, v)| keep(v)).map(|(id, _)| *id).collect()
}

/// One principal of the volunteer suite: a label, its token, what it may see and the root fields
/// it is refused, with their codes.
type Case = (String, String, Allowed, Vec<(&'static str, &'static str)>);

/// Runs every root field of the volunteer platform as one principal and holds each answer to the
/// scope: lists are exactly the rows the rules allow (not merely a subset), relations too, and
/// `refused` names the root fields that answer an error, with its code.
#[expect(clippy::too_many_arguments, reason = "the principal, what it may see and what it must be refused")]
async fn volunteer_probe(
    app: &TestApp,
    label: &str,
    token: &str,
    facts: &Facts,
    allowed: &Allowed,
    foreign: Uuid,
    foreign_person: Uuid,
    refused: &[(&str, &str)],
) -> HashMap<&'static str, Value> {
    let vars = json!({ "c": global_id("Community", foreign).to_string(), "p": foreign_person.to_string() });
    let mut answers = HashMap::new();
    for (root, body) in V_ROOTS {
        let (status, response) = app.post(Some(token), &gql(body), vars.clone()).await;
        assert_eq!(status, 200, "{label} {root}: {response}");
        if let Some((_, code)) = refused.iter().find(|(r, _)| r == root) {
            assert_eq!(response["errors"][0]["extensions"]["code"], *code, "{label} {root}: {response}");
            assert!(response["data"].is_null(), "{label} {root}: {response}");
            let mut ids = Vec::new();
            collect_ids(&response, &mut ids);
            assert!(ids.is_empty(), "{label} {root}: a refusal carried ids: {response}");
            continue;
        }
        assert!(response.get("errors").is_none(), "{label} {root}: unexpected errors: {response}");
        let data = response["data"].clone();
        check_ids(&format!("{label} {root}"), &data, facts, allowed);
        answers.insert(*root, data);
    }
    let in_foreign = |c: &Uuid| *c == foreign;

    let categories = &answers["serviceCategories"]["serviceCategories"];
    assert_eq!(uuids(categories), facts.categories, "{label}: categories are shared reference data");

    let v = &answers["volunteers"];
    let want = expected(&facts.volunteer, |(c, p, _)| allowed.sees_row(*c, *p));
    assert_eq!(uuids(&v["all"]), want, "{label}: volunteers");
    assert_eq!(v["all"]["totalCount"], want.len(), "{label}: volunteers totalCount");
    let want_foreign = expected(&facts.volunteer, |(c, p, _)| allowed.sees_row(*c, *p) && in_foreign(c));
    assert_eq!(uuids(&v["foreign"]), want_foreign, "{label}: volunteers(communityId:)");
    assert_eq!(v["foreign"]["totalCount"], want_foreign.len(), "{label}: volunteers(communityId:) totalCount");
    for e in v["all"]["edges"].as_array().unwrap() {
        let node = &e["node"];
        let (c, _, _) = facts.volunteer[&decode(node["id"].as_str().unwrap()).unwrap().1];
        // Suggested demands are the open demands of the volunteer's own community.
        let suggested: HashSet<Uuid> =
            node["suggestedDemands"].as_array().unwrap().iter().map(|s| decode(s["demand"]["id"].as_str().unwrap()).unwrap().1).collect();
        let open = expected(&facts.demand, |(dc, open)| *dc == c && *open);
        assert_eq!(suggested, open, "{label}: suggestedDemands of {node}");
    }

    let ci = &answers["checkIns"];
    assert_eq!(uuids(&ci["all"]), expected(&facts.check_in, |(c, p, _)| allowed.sees_row(*c, *p)), "{label}: checkIns");
    assert_eq!(ci["all"]["totalCount"].as_u64(), Some(uuids(&ci["all"]).len() as u64), "{label}: checkIns totalCount");
    assert_eq!(
        uuids(&ci["foreign"]),
        expected(&facts.check_in, |(c, p, _)| allowed.sees_row(*c, *p) && in_foreign(c)),
        "{label}: checkIns(communityId:)"
    );
    assert_eq!(
        uuids(&ci["approved"]),
        expected(&facts.check_in, |(c, p, ok)| allowed.sees_row(*c, *p) && *ok),
        "{label}: checkIns(status:)"
    );

    let d = &answers["demands"];
    let want = expected(&facts.demand, |(c, _)| allowed.sees_published(*c));
    assert_eq!(uuids(&d["all"]), want, "{label}: demands");
    assert_eq!(d["all"]["totalCount"], want.len(), "{label}: demands totalCount");
    let want_foreign = expected(&facts.demand, |(c, _)| allowed.sees_published(*c) && in_foreign(c));
    assert_eq!(uuids(&d["foreign"]), want_foreign, "{label}: demands(communityId:)");
    assert_eq!(d["foreign"]["totalCount"], want_foreign.len(), "{label}: demands(communityId:) totalCount");
    assert_eq!(uuids(&d["open"]), expected(&facts.demand, |(c, open)| allowed.sees_published(*c) && *open), "{label}: demands(status:)");
    let mut demand_nodes: Vec<&Value> = d["all"]["edges"].as_array().unwrap().iter().map(|e| &e["node"]).collect();

    let a = &answers["activities"];
    let want = expected(&facts.activity, |c| allowed.sees_published(*c));
    assert_eq!(uuids(&a["all"]), want, "{label}: activities");
    assert_eq!(a["all"]["totalCount"], want.len(), "{label}: activities totalCount");
    let want_foreign = expected(&facts.activity, |c| allowed.sees_published(*c) && in_foreign(c));
    assert_eq!(uuids(&a["foreign"]), want_foreign, "{label}: activities(communityId:)");
    assert_eq!(a["foreign"]["totalCount"], want_foreign.len(), "{label}: activities(communityId:) totalCount");
    for e in a["all"]["edges"].as_array().unwrap() {
        let node = &e["node"];
        let id = decode(node["id"].as_str().unwrap()).unwrap().1;
        let want = expected(&facts.sign_up, |(c, p, act, _)| *act == id && allowed.sees_row(*c, *p));
        assert_eq!(uuids(&node["signUps"]), want, "{label}: signUps of {node}");
        if !node["demand"].is_null() {
            demand_nodes.push(&node["demand"]);
        }
    }
    for node in demand_nodes {
        let id = decode(node["id"].as_str().unwrap()).unwrap().1;
        let (c, _) = facts.demand[&id];
        let want = expected(&facts.invitation, |(ic, demand)| *demand == id && allowed.sees_staff_business(*ic));
        assert_eq!(uuids(&node["invitations"]), want, "{label}: invitations of {node}");
        // Suggestions are staff business: every active volunteer of the community, or nothing.
        let suggested: HashSet<Uuid> = node["suggestedVolunteers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| decode(s["volunteer"]["id"].as_str().unwrap()).unwrap().1)
            .collect();
        let want =
            if allowed.sees_staff_business(c) { expected(&facts.volunteer, |(vc, _, active)| *vc == c && *active) } else { HashSet::new() };
        assert_eq!(suggested, want, "{label}: suggestedVolunteers of {node}");
    }

    if let Some(record) = answers.get("serviceRecord") {
        let MemberRule::Own(me) = allowed.members else { panic!("{label}: only members have a record of their own") };
        let r = &record["serviceRecord"];
        assert_eq!(r["personId"], global_id("Person", me).to_string(), "{label}");
        let want = expected(&facts.sign_up, |(_, p, _, attended)| *p == me && *attended);
        assert_eq!(uuids(&r["attended"]), want, "{label}: own service record");
        assert_eq!(r["personTimes"], want.len(), "{label}");
    }
    let r = &answers["serviceRecordOf"]["serviceRecord"];
    let want = expected(&facts.sign_up, |(c, p, _, attended)| *p == foreign_person && *attended && allowed.sees_row(*c, *p));
    assert_eq!(uuids(&r["attended"]), want, "{label}: serviceRecord(personId:)");
    assert_eq!(r["personTimes"], want.len(), "{label}: serviceRecord(personId:)");

    let stats_of = |communities: &HashSet<Uuid>| {
        let volunteers = facts.volunteer.values().filter(|(c, _, _)| communities.contains(c)).count();
        let checked_in = facts.check_in.values().filter(|(c, _, ok)| communities.contains(c) && *ok).count();
        let person_times = facts.sign_up.values().filter(|(c, _, _, attended)| communities.contains(c) && *attended).count();
        (volunteers, checked_in, person_times)
    };
    for (root, communities) in [("volunteerStatistics", allowed.communities.clone()), ("volunteerStatisticsOf", [foreign].into())] {
        if let Some(s) = answers.get(root) {
            let s = &s["volunteerStatistics"];
            let (volunteers, checked_in, person_times) = stats_of(&communities);
            assert_eq!(s["volunteers"], volunteers, "{label} {root}: {s}");
            assert_eq!(s["checkedInMembers"], checked_in, "{label} {root}: {s}");
            assert_eq!(s["totals"]["personTimes"], person_times, "{label} {root}: {s}");
        }
    }

    let viewer = &answers["viewer"]["viewer"];
    assert_eq!(uuids(&viewer["communities"]), allowed.communities, "{label}: viewer.communities");
    match allowed.members {
        MemberRule::Own(me) => {
            assert_eq!(viewer["person"]["uuid"], me.to_string(), "{label}");
            assert_eq!(viewer["person"]["personalDataVisible"], true, "{label}");
        }
        _ => assert!(viewer["person"].is_null(), "{label}: {viewer}"),
    }
    answers
}

/// `nodes(ids:)` and `node(id:)`: an object comes back exactly when the caller may see it.
async fn check_nodes(app: &TestApp, label: &str, token: &str, facts: &Facts, allowed: &Allowed, ids: &[String]) {
    let ids: Vec<&String> = ids.iter().take(100).collect();
    let data =
        app.ok(Some(token), &gql(&format!("query($ids: [ID!]!) {{ nodes(ids: $ids) {{ {NODE_FIELDS} }} }}")), json!({ "ids": ids })).await;
    let nodes = data["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), ids.len(), "{label}");
    check_ids(&format!("{label} nodes"), &data, facts, allowed);
    let single = gql(&format!("query($id: ID!) {{ node(id: $id) {{ {NODE_FIELDS} }} }}"));
    for (id, node) in ids.iter().zip(nodes) {
        let (kind, uuid) = decode(id).unwrap();
        let may = NODE_KINDS.contains(&kind.as_str()) && visible(&kind, uuid, facts, allowed).unwrap_or_else(|e| panic!("{label}: {e}"));
        if may {
            assert_eq!(node["__typename"], kind, "{label}: {kind} {uuid} should come back: {node}");
            assert_eq!(node["id"], json!(id), "{label}");
        } else {
            assert!(node.is_null(), "{label}: {kind} {uuid} from outside the scope came back: {node}");
        }
        // The same through node(id:), for every type of the volunteer platform.
        if !matches!(kind.as_str(), "Community" | "Compound" | "PartyOrganization" | "PartyMember" | "CommitteeMembership") {
            let one = app.ok(Some(token), &single, json!({ "id": id })).await;
            assert_eq!(one["node"], *node, "{label}: node(id:) and nodes(ids:) disagree on {kind} {uuid}");
        }
    }
}

/// The communities a member belongs to: registered in, living in, volunteering in (active) or
/// checked in to (approved).
async fn member_communities(app: &TestApp, person_id: Uuid) -> HashSet<Uuid> {
    let mut out: HashSet<Uuid> = party_member::Entity::find()
        .filter(party_member::Column::PersonId.eq(person_id))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.community_id)
        .collect();
    out.extend(person::Entity::find_by_id(person_id).one(&app.db).await.unwrap().unwrap().home_community_id);
    out.extend(
        volunteer::Entity::find()
            .filter(volunteer::Column::PersonId.eq(person_id))
            .filter(volunteer::Column::Status.eq(volunteer::VolunteerStatus::Active))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|v| v.community_id),
    );
    out.extend(
        check_in::Entity::find()
            .filter(check_in::Column::PersonId.eq(person_id))
            .filter(check_in::Column::Status.eq(check_in::CheckInStatus::Approved))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.community_id),
    );
    out
}
