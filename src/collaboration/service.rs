//! Rules of multi-department collaboration: campaigns, sites, tasks and their shares, the
//! timeline, inspections. Every function takes the request's context first; reads are filtered
//! by its scope and each mutation is one transaction holding the change, its timeline events
//! and its audit record.

use chrono::{DateTime, NaiveDate, Utc};
use entity::assignment::{self, AssignmentRole, AssignmentStatus};
use entity::task::{self, TaskCategory, TaskLevel, TaskPriority, TaskStatus};
use entity::task_event::{self, EventKind};
use entity::{campaign, campaign_community, co_building_unit, community, finding, idempotency_key, inspection, site};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::visibility::tasks_shared_with;
pub use super::visibility::{assignment_filter, campaign_filter, event_filter, finding_filter, inspection_filter, task_filter};
use super::workflow::{self, AssignmentAction, TaskAction, share_name, status_name};
use crate::auth::{Principal, Scope};
use crate::cx::Cx;
use crate::db::{conflict_on_unique, guarded_update};
use crate::error::{AppError, AppResult};
use crate::paging::{Page, PageArgs};
use crate::validate::{
    check_date, check_optional_date, check_optional_time, check_time, check_version, clean_evidence, clean_name, clean_optional, clean_text,
};
use crate::write::{Audit, Write};

// ---------------------------------------------------------------- reads

/// Shares a unit is still to work on.
const OPEN_SHARES: [AssignmentStatus; 3] = [AssignmentStatus::Pending, AssignmentStatus::Accepted, AssignmentStatus::InProgress];
/// Tasks that still need work.
const OPEN_TASKS: [TaskStatus; 4] = [TaskStatus::Reported, TaskStatus::Assigned, TaskStatus::InProgress, TaskStatus::Reopened];

/// Filters on task lists.
#[derive(Default, Clone)]
pub struct TaskFilter {
    pub community_id: Option<Uuid>,
    pub campaign_id: Option<Uuid>,
    pub statuses: Vec<TaskStatus>,
    pub level: Option<TaskLevel>,
    pub unit_id: Option<Uuid>,
    /// Only open tasks past their due time.
    pub overdue: bool,
    /// Only tasks with an open share whose unit's committee seat ended.
    pub has_shares_of_ended_seats: bool,
}

fn tasks_select(cx: &Cx, filter: &TaskFilter) -> AppResult<Select<task::Entity>> {
    cx.scope.require_authenticated()?;
    let mut select = task::Entity::find().filter(task_filter(&cx.scope));
    if let Some(c) = filter.community_id {
        select = select.filter(task::Column::CommunityId.eq(c));
    }
    if let Some(c) = filter.campaign_id {
        select = select.filter(task::Column::CampaignId.eq(c));
    }
    if !filter.statuses.is_empty() {
        select = select.filter(task::Column::Status.is_in(filter.statuses.clone()));
    }
    if let Some(level) = filter.level {
        select = select.filter(task::Column::Level.eq(level));
    }
    if let Some(unit) = filter.unit_id {
        select = select.filter(
            task::Column::Id.in_subquery(
                Query::select()
                    .column(assignment::Column::TaskId)
                    .from(assignment::Entity)
                    .and_where(assignment::Column::UnitId.eq(unit))
                    .to_owned(),
            ),
        );
    }
    if filter.has_shares_of_ended_seats {
        // Through the shares the scope may see: a unit learns nothing of other units' shares.
        select = select.filter(
            task::Column::Id.in_subquery(
                Query::select()
                    .column(assignment::Column::TaskId)
                    .from(assignment::Entity)
                    .cond_where(assignment_filter(&cx.scope))
                    .and_where(assignment::Column::SeatEnded.eq(true))
                    .and_where(assignment::Column::Status.is_in(OPEN_SHARES))
                    .to_owned(),
            ),
        );
    }
    if filter.overdue {
        select = select
            .filter(task::Column::Status.is_in([TaskStatus::Reported, TaskStatus::Assigned, TaskStatus::InProgress, TaskStatus::Reopened]))
            .filter(task::Column::DueAt.lt(Utc::now()));
    }
    Ok(select)
}

/// One page of the tasks in scope.
pub async fn tasks(cx: &Cx, filter: &TaskFilter, args: &PageArgs) -> AppResult<Page<task::Model>> {
    let select = tasks_select(cx, filter)?;
    Ok(args.finish(args.apply(select, task::Column::Id).all(&cx.db).await?))
}

/// How many tasks in scope match.
pub async fn task_count(cx: &Cx, filter: &TaskFilter) -> AppResult<u64> {
    Ok(tasks_select(cx, filter)?.count(&cx.db).await?)
}

/// The campaigns in scope.
pub async fn campaigns(cx: &Cx) -> AppResult<Vec<campaign::Model>> {
    cx.scope.require_authenticated()?;
    Ok(campaign::Entity::find().filter(campaign_filter(&cx.scope)).order_by_asc(campaign::Column::Id).all(&cx.db).await?)
}

/// One page of a community's inspections (or all in scope).
pub async fn inspections(cx: &Cx, community_id: Option<Uuid>, args: &PageArgs) -> AppResult<Page<inspection::Model>> {
    cx.scope.require_authenticated()?;
    let mut select = inspection::Entity::find().filter(inspection_filter(&cx.scope));
    if let Some(c) = community_id {
        select = select.filter(inspection::Column::CommunityId.eq(c));
    }
    Ok(args.finish(args.apply(select, inspection::Column::Id).all(&cx.db).await?))
}

/// How many inspections in scope match.
pub async fn inspection_count(cx: &Cx, community_id: Option<Uuid>) -> AppResult<u64> {
    cx.scope.require_authenticated()?;
    let mut select = inspection::Entity::find().filter(inspection_filter(&cx.scope));
    if let Some(c) = community_id {
        select = select.filter(inspection::Column::CommunityId.eq(c));
    }
    Ok(select.count(&cx.db).await?)
}

// ---------------------------------------------------------------- the timeline

/// One timeline entry to write.
struct Event<'a> {
    kind: EventKind,
    from: Option<TaskStatus>,
    to: Option<TaskStatus>,
    share: Option<&'a assignment::Model>,
    level: Option<TaskLevel>,
    note: Option<String>,
    evidence: Vec<String>,
}

impl<'a> Event<'a> {
    fn new(kind: EventKind) -> Self {
        Event { kind, from: None, to: None, share: None, level: None, note: None, evidence: Vec::new() }
    }
    fn status(mut self, from: TaskStatus, to: TaskStatus) -> Self {
        if from != to {
            self.from = Some(from);
            self.to = Some(to);
        }
        self
    }
    fn share(mut self, share: &'a assignment::Model) -> Self {
        self.share = Some(share);
        self
    }
    fn note(mut self, note: Option<String>) -> Self {
        self.note = note;
        self
    }
    fn evidence(mut self, evidence: Vec<String>) -> Self {
        self.evidence = evidence;
        self
    }
}

/// Writes a timeline entry in the write's transaction; [`Write::commit`] announces it and hands
/// it to live subscribers once the transaction commits.
async fn push(w: &mut Write<'_>, task: &task::Model, e: Event<'_>) -> AppResult<task_event::Model> {
    let cx = w.cx();
    let model = task_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(task.community_id),
        task_id: Set(task.id),
        kind: Set(e.kind),
        from_status: Set(e.from.map(|s| status_name(s).to_owned())),
        to_status: Set(e.to.map(|s| status_name(s).to_owned())),
        assignment_id: Set(e.share.map(|a| a.id)),
        unit_id: Set(e.share.map(|a| a.unit_id)),
        level: Set(e.level.map(|l| l.to_value())),
        actor_kind: Set(cx.scope.principal().audit_kind().to_owned()),
        actor: Set(cx.scope.label().to_owned()),
        note: Set(e.note),
        evidence: Set(crate::validate::to_json_list(&e.evidence)),
        created_at: Set(Utc::now()),
    }
    .insert(w.txn())
    .await?;
    w.stored_event(model.id);
    Ok(model)
}

// ---------------------------------------------------------------- campaigns and sites

/// Most communities one request may name for a campaign.
const MAX_COMMUNITIES: usize = 500;

/// A campaign to create.
pub struct NewCampaign {
    pub name: String,
    pub goal: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub community_ids: Vec<Uuid>,
    pub lead_organization_id: Option<Uuid>,
}

/// Creates a campaign across communities of the caller's street (street admins).
pub async fn create_campaign(cx: &Cx, input: NewCampaign) -> AppResult<campaign::Model> {
    let Some(street_id) = cx.scope.require_street_admin("campaigns")? else {
        return Err(AppError::Forbidden("campaigns are managed by street administrators".into()));
    };
    let name = clean_name("name", &input.name, 100)?;
    let goal = clean_text("goal", &input.goal, 2000)?;
    check_date("startsOn", input.starts_on)?;
    check_optional_date("endsOn", input.ends_on)?;
    if input.ends_on.is_some_and(|e| e < input.starts_on) {
        return Err(AppError::bad_input("endsOn", "`endsOn` must not be before `startsOn`"));
    }
    if input.community_ids.len() > MAX_COMMUNITIES {
        return Err(AppError::bad_input("communityIds", format!("at most {MAX_COMMUNITIES} communities")));
    }
    if input.community_ids.is_empty() {
        return Err(AppError::bad_input("communityIds", "a campaign needs at least one community"));
    }
    if let Some(c) = input.community_ids.iter().find(|c| !cx.scope.sees_community(**c)) {
        return Err(AppError::bad_input("communityIds", format!("community {c} is not in your street")));
    }
    let w = Write::begin(cx).await?;
    if let Some(org) = input.lead_organization_id {
        let found = entity::party_organization::Entity::find_by_id(org)
            .filter(cx.scope.tenant_filter(entity::party_organization::Column::CommunityId))
            .one(w.txn())
            .await?;
        if found.is_none() && org != street_id {
            return Err(AppError::bad_input("leadOrganizationId", "no such party organisation in your street"));
        }
    }
    let now = Utc::now();
    let model = campaign::ActiveModel {
        id: Set(Uuid::now_v7()),
        street_id: Set(street_id),
        name: Set(name),
        goal: Set(goal),
        starts_on: Set(input.starts_on),
        ends_on: Set(input.ends_on),
        lead_organization_id: Set(input.lead_organization_id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(w.txn())
    .await?;
    let mut ids = input.community_ids.clone();
    ids.sort();
    ids.dedup();
    let links: Vec<campaign_community::ActiveModel> = ids
        .iter()
        .map(|c| campaign_community::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(*c),
            campaign_id: Set(model.id),
            created_at: Set(now),
        })
        .collect();
    campaign_community::Entity::insert_many(links).exec(w.txn()).await?;
    w.commit(
        Audit::new("createCampaign", "Campaign")
            .object(model.id)
            .summary(json!({ "name": model.name, "communities": ids.len(), "startsOn": model.starts_on })),
    )
    .await?;
    Ok(model)
}

/// Changes to a campaign; absent fields stay. Communities can join, not leave (their tasks
/// stay in the campaign).
#[derive(Default)]
pub struct CampaignChanges {
    pub expected_version: Option<i32>,
    pub name: Option<String>,
    pub goal: Option<String>,
    pub ends_on: Option<NaiveDate>,
    pub add_community_ids: Vec<Uuid>,
    pub remove_community_ids: Vec<Uuid>,
}

/// Edits a campaign of the caller's street (street admins).
pub async fn update_campaign(cx: &Cx, id: Uuid, changes: CampaignChanges) -> AppResult<campaign::Model> {
    let Some(street_id) = cx.scope.require_street_admin("campaigns")? else {
        return Err(AppError::Forbidden("campaigns are managed by street administrators".into()));
    };
    let w = Write::begin(cx).await?;
    // Waits for tasks being filed into the campaign (they hold it shared), so that a community
    // leaving sees them.
    let current = w
        .lock(campaign::Entity::find_by_id(id).filter(campaign::Column::StreetId.eq(street_id)))
        .await?
        .ok_or_else(|| AppError::not_found("campaign"))?;
    check_version(changes.expected_version, current.version, "the campaign")?;
    let mut m: campaign::ActiveModel = current.clone().into();
    let mut changed = Vec::new();
    if let Some(n) = changes.name {
        m.name = Set(clean_name("name", &n, 100)?);
        changed.push("name");
    }
    if let Some(g) = changes.goal {
        m.goal = Set(clean_text("goal", &g, 2000)?);
        changed.push("goal");
    }
    if let Some(e) = changes.ends_on {
        check_date("endsOn", e)?;
        if e < current.starts_on {
            return Err(AppError::bad_input("endsOn", "`endsOn` must not be before `startsOn`"));
        }
        m.ends_on = Set(Some(e));
        changed.push("endsOn");
    }
    if changes.add_community_ids.len() > MAX_COMMUNITIES {
        return Err(AppError::bad_input("addCommunityIds", format!("at most {MAX_COMMUNITIES} communities")));
    }
    if let Some(c) = changes.add_community_ids.iter().find(|c| !cx.scope.sees_community(**c)) {
        return Err(AppError::bad_input("addCommunityIds", format!("community {c} is not in your street")));
    }
    let existing: Vec<Uuid> = campaign_community::Entity::find()
        .filter(campaign_community::Column::CampaignId.eq(id))
        .all(w.txn())
        .await?
        .into_iter()
        .map(|l| l.community_id)
        .collect();
    let mut added: Vec<Uuid> = changes.add_community_ids.into_iter().filter(|c| !existing.contains(c)).collect();
    added.sort();
    added.dedup();
    let now = Utc::now();
    if !added.is_empty() {
        let links: Vec<campaign_community::ActiveModel> = added
            .iter()
            .map(|c| campaign_community::ActiveModel {
                id: Set(Uuid::now_v7()),
                community_id: Set(*c),
                campaign_id: Set(id),
                created_at: Set(now),
            })
            .collect();
        campaign_community::Entity::insert_many(links).exec(w.txn()).await?;
        changed.push("communities");
    }
    let removed = leave_campaign(w.txn(), id, &existing, &added, changes.remove_community_ids).await?;
    if !removed.is_empty() {
        changed.push("communities");
    }
    m.version = Set(current.version + 1);
    m.updated_at = Set(now);
    let model =
        guarded_update::<campaign::Entity, _>(w.txn(), m, campaign::Column::Id, campaign::Column::Version, id, current.version).await?;
    w.commit(
        Audit::new("updateCampaign", "Campaign")
            .object(model.id)
            .summary(json!({ "changed": changed, "addedCommunities": added.len(), "removedCommunities": removed.len() })),
    )
    .await?;
    Ok(model)
}

/// Takes communities out of a campaign (of those in it before the change, `existing`, or just
/// `added`). A community leaves only when its tasks in the campaign are all closed (verified or
/// cancelled), and at least one community stays. Returns the communities that left.
async fn leave_campaign(
    txn: &DatabaseTransaction,
    campaign_id: Uuid,
    existing: &[Uuid],
    added: &[Uuid],
    remove: Vec<Uuid>,
) -> AppResult<Vec<Uuid>> {
    if remove.len() > MAX_COMMUNITIES {
        return Err(AppError::bad_input("removeCommunityIds", format!("at most {MAX_COMMUNITIES} communities")));
    }
    if let Some(c) = remove.iter().find(|c| added.contains(c)) {
        return Err(AppError::bad_input("removeCommunityIds", format!("community {c} is both added and removed")));
    }
    let mut removed: Vec<Uuid> = remove.into_iter().filter(|c| existing.contains(c)).collect();
    removed.sort();
    removed.dedup();
    if removed.is_empty() {
        return Ok(removed);
    }
    if existing.len() + added.len() <= removed.len() {
        return Err(AppError::bad_input("removeCommunityIds", "a campaign keeps at least one community"));
    }
    let open = task::Entity::find()
        .filter(task::Column::CampaignId.eq(campaign_id))
        .filter(task::Column::CommunityId.is_in(removed.iter().copied()))
        .filter(task::Column::Status.is_not_in([TaskStatus::Verified, TaskStatus::Cancelled]))
        .count(txn)
        .await?;
    if open > 0 {
        return Err(AppError::bad_input(
            "removeCommunityIds",
            format!("{open} task(s) of these communities in the campaign are still open: close or cancel them first"),
        ));
    }
    campaign_community::Entity::delete_many()
        .filter(campaign_community::Column::CampaignId.eq(campaign_id))
        .filter(campaign_community::Column::CommunityId.is_in(removed.iter().copied()))
        .exec(txn)
        .await?;
    Ok(removed)
}

/// A site to create.
pub struct NewSite {
    pub community_id: Uuid,
    pub name: String,
    pub kind: site::SiteKind,
    pub compound_id: Option<Uuid>,
    pub address: Option<String>,
}

/// Creates a site in a community the caller is staff of.
pub async fn create_site(cx: &Cx, input: NewSite) -> AppResult<site::Model> {
    cx.scope.require_staff(input.community_id, "create sites")?;
    let name = clean_name("name", &input.name, 100)?;
    let address = clean_optional("address", input.address, 200)?;
    let w = Write::begin(cx).await?;
    if let Some(compound) = input.compound_id {
        let found = entity::compound::Entity::find_by_id(compound)
            .filter(entity::compound::Column::CommunityId.eq(input.community_id))
            .one(w.txn())
            .await?;
        if found.is_none() {
            return Err(AppError::bad_input("compoundId", "no such compound in this community"));
        }
    }
    let model = site::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(input.community_id),
        name: Set(name),
        kind: Set(input.kind),
        compound_id: Set(input.compound_id),
        address: Set(address),
        created_at: Set(Utc::now()),
    }
    .insert(w.txn())
    .await
    .map_err(|e| conflict_on_unique(e, "a site with this name already exists in this community"))?;
    w.commit(
        Audit::new("createSite", "Site")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "name": model.name, "kind": model.kind.to_value() })),
    )
    .await?;
    Ok(model)
}

// ---------------------------------------------------------------- tasks

/// A task to create.
pub struct NewTask {
    pub community_id: Uuid,
    pub title: String,
    pub description: String,
    pub category: TaskCategory,
    pub priority: TaskPriority,
    pub due_at: Option<DateTime<Utc>>,
    pub campaign_id: Option<Uuid>,
    pub site_id: Option<Uuid>,
    pub evidence: Vec<String>,
}

async fn check_links(txn: &DatabaseTransaction, community_id: Uuid, campaign_id: Option<Uuid>, site_id: Option<Uuid>) -> AppResult<()> {
    if let Some(c) = campaign_id {
        if txn.get_database_backend() == DbBackend::Postgres {
            // Holds the campaign while the task is filed into it (see `update_campaign`).
            campaign::Entity::find_by_id(c).lock_shared().one(txn).await?;
        }
        let linked = campaign_community::Entity::find()
            .filter(campaign_community::Column::CommunityId.eq(community_id))
            .filter(campaign_community::Column::CampaignId.eq(c))
            .count(txn)
            .await?;
        if linked == 0 {
            return Err(AppError::bad_input("campaignId", "the community does not take part in this campaign"));
        }
    }
    if let Some(s) = site_id {
        let found = site::Entity::find_by_id(s).filter(site::Column::CommunityId.eq(community_id)).count(txn).await?;
        if found == 0 {
            return Err(AppError::bad_input("siteId", "no such site in this community"));
        }
    }
    Ok(())
}

/// Creates a task in a community the caller is staff of (status REPORTED).
pub async fn create_task(cx: &Cx, input: NewTask) -> AppResult<task::Model> {
    cx.scope.require_staff(input.community_id, "create tasks")?;
    let mut w = Write::begin(cx).await?;
    let (task, audit) = insert_task(&mut w, input, "createTask").await?;
    w.commit(audit).await?;
    Ok(task)
}

/// Writes a new task and its first timeline entry; returns the task and its audit entry.
async fn insert_task(w: &mut Write<'_>, input: NewTask, action: &str) -> AppResult<(task::Model, Audit)> {
    let cx = w.cx();
    let title = clean_name("title", &input.title, 200)?;
    let description = clean_text("description", &input.description, 5000)?;
    let evidence = clean_evidence(input.evidence)?;
    check_optional_time("dueAt", input.due_at)?;
    check_links(w.txn(), input.community_id, input.campaign_id, input.site_id).await?;
    let now = Utc::now();
    let task = task::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(input.community_id),
        campaign_id: Set(input.campaign_id),
        site_id: Set(input.site_id),
        title: Set(title),
        description: Set(description),
        category: Set(input.category),
        priority: Set(input.priority),
        status: Set(TaskStatus::Reported),
        level: Set(TaskLevel::Community),
        due_at: Set(input.due_at),
        evidence: Set(crate::validate::to_json_list(&evidence)),
        reported_by: Set(cx.scope.label().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        resolved_at: Set(None),
        closed_at: Set(None),
        escalated_at: Set(None),
        version: Set(1),
    }
    .insert(w.txn())
    .await?;
    push(w, &task, Event::new(EventKind::Reported).evidence(evidence)).await?;
    let summary = json!({ "title": task.title, "category": task.category.to_value(), "priority": task.priority.to_value() });
    let audit = Audit::new(action, "Task").object(task.id).community(task.community_id).summary(summary);
    Ok((task, audit))
}

/// Loads a task the caller may see, for a change. On PostgreSQL the row stays locked until the
/// transaction ends, so that changes to one task and its assignments happen one after another
/// (two units finishing the last two shares at once must see each other's); SQLite has one
/// writer at a time anyway.
async fn visible_task(w: &Write<'_>, id: Uuid) -> AppResult<task::Model> {
    let cx = w.cx();
    cx.scope.require_authenticated()?;
    w.lock(task::Entity::find_by_id(id).filter(task_filter(&cx.scope))).await?.ok_or_else(|| AppError::not_found("task"))
}

fn illegal(action: &str, status: TaskStatus) -> AppError {
    AppError::BadInput { message: format!("cannot {action} a task that is {}", status_name(status)), field: Some("status".into()) }
}

/// Writes the task's new state guarded by its version.
async fn save_task(txn: &DatabaseTransaction, current: &task::Model, mut model: task::ActiveModel) -> AppResult<task::Model> {
    model.version = Set(current.version + 1);
    model.updated_at = Set(Utc::now());
    guarded_update::<task::Entity, _>(txn, model, task::Column::Id, task::Column::Version, current.id, current.version).await
}

/// Changes to a task's description; absent fields stay.
#[derive(Default)]
pub struct TaskChanges {
    pub expected_version: Option<i32>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub priority: Option<TaskPriority>,
    pub due_at: Option<DateTime<Utc>>,
    pub evidence: Option<Vec<String>>,
}

/// Edits an open task (staff).
pub async fn update_task(cx: &Cx, id: Uuid, changes: TaskChanges) -> AppResult<task::Model> {
    let mut w = Write::begin(cx).await?;
    let current = visible_task(&w, id).await?;
    cx.scope.require_staff(current.community_id, "update tasks")?;
    check_version(changes.expected_version, current.version, "the task")?;
    if workflow::task_transition(current.status, TaskAction::Update).is_none() {
        return Err(illegal(TaskAction::Update.name(), current.status));
    }
    let mut model: task::ActiveModel = current.clone().into();
    let mut changed = Vec::new();
    if let Some(t) = changes.title {
        model.title = Set(clean_name("title", &t, 200)?);
        changed.push("title");
    }
    if let Some(d) = changes.description {
        model.description = Set(clean_text("description", &d, 5000)?);
        changed.push("description");
    }
    if let Some(p) = changes.priority {
        model.priority = Set(p);
        changed.push("priority");
    }
    if let Some(d) = changes.due_at {
        model.due_at = Set(Some(check_time("dueAt", d)?));
        changed.push("dueAt");
    }
    if let Some(e) = changes.evidence {
        model.evidence = Set(crate::validate::to_json_list(&clean_evidence(e)?));
        changed.push("evidence");
    }
    let updated = save_task(w.txn(), &current, model).await?;
    push(&mut w, &updated, Event::new(EventKind::Updated).note(Some(format!("changed {}", changed.join(", "))))).await?;
    w.commit(
        Audit::new("updateTask", "Task")
            .object(updated.id)
            .community(updated.community_id)
            .summary(json!({ "changed": changed, "version": updated.version })),
    )
    .await?;
    Ok(updated)
}

/// Assigns a share of a task to a co-building unit that sits on the community's joint committee.
pub async fn assign_task(
    cx: &Cx,
    task_id: Uuid,
    unit_id: Uuid,
    role: AssignmentRole,
    expected_version: Option<i32>,
    note: Option<String>,
) -> AppResult<(task::Model, assignment::Model)> {
    let note = clean_optional("note", note, 2000)?;
    let mut w = Write::begin(cx).await?;
    let current = visible_task(&w, task_id).await?;
    cx.scope.require_staff(current.community_id, "assign tasks")?;
    check_version(expected_version, current.version, "the task")?;
    let Some(next) = workflow::task_transition(current.status, TaskAction::Assign) else {
        return Err(illegal(TaskAction::Assign.name(), current.status));
    };
    let unit =
        co_building_unit::Entity::find_by_id(unit_id).one(w.txn()).await?.ok_or_else(|| AppError::bad_input("unitId", "no such unit"))?;
    if !crate::organisation::service::unit_sits_on(w.txn(), current.community_id, unit.id).await? {
        return Err(AppError::bad_input("unitId", format!("{} does not sit on this community's joint committee", unit.name)));
    }
    let shares = assignment::Entity::find()
        .filter(assignment::Column::CommunityId.eq(current.community_id))
        .filter(assignment::Column::TaskId.eq(task_id))
        .all(w.txn())
        .await?;
    if role == AssignmentRole::Lead
        && shares.iter().any(|a| a.role == AssignmentRole::Lead && a.status != AssignmentStatus::Declined && a.unit_id != unit.id)
    {
        return Err(AppError::Conflict("the task already has a lead unit".into()));
    }
    let now = Utc::now();
    let share = match shares.iter().find(|a| a.unit_id == unit.id) {
        Some(a) if a.status != AssignmentStatus::Declined => {
            return Err(AppError::Conflict(format!("{} already has a share of this task", unit.name)));
        }
        Some(declined) => {
            // A unit that declined may be asked again.
            let mut m: assignment::ActiveModel = declined.clone().into();
            m.role = Set(role);
            m.status = Set(AssignmentStatus::Pending);
            m.decline_reason = Set(None);
            m.note = Set(note.clone());
            m.updated_at = Set(now);
            m.version = Set(declined.version + 1);
            guarded_update::<assignment::Entity, _>(
                w.txn(),
                m,
                assignment::Column::Id,
                assignment::Column::Version,
                declined.id,
                declined.version,
            )
            .await?
        }
        None => assignment::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(current.community_id),
            task_id: Set(task_id),
            unit_id: Set(unit.id),
            role: Set(role),
            status: Set(AssignmentStatus::Pending),
            decline_reason: Set(None),
            note: Set(note.clone()),
            seat_ended: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        }
        .insert(w.txn())
        .await
        .map_err(|e| conflict_on_unique(e, "this unit already has a share of this task"))?,
    };
    let mut model: task::ActiveModel = current.clone().into();
    model.status = Set(next);
    let updated = save_task(w.txn(), &current, model).await?;
    push(&mut w, &updated, Event::new(EventKind::Assigned).status(current.status, next).share(&share).note(note)).await?;
    w.commit(
        Audit::new("assignTask", "Task")
            .object(updated.id)
            .community(updated.community_id)
            .summary(json!({ "unit": unit.code, "role": role.to_value(), "status": status_name(next) })),
    )
    .await?;
    Ok((updated, share))
}

/// Verifies, reopens, cancels or escalates a task (staff).
pub async fn staff_action(
    cx: &Cx,
    id: Uuid,
    action: TaskAction,
    expected_version: Option<i32>,
    note: Option<String>,
) -> AppResult<task::Model> {
    let note = clean_optional("note", note, 2000)?;
    let mut w = Write::begin(cx).await?;
    let current = visible_task(&w, id).await?;
    cx.scope.require_staff(current.community_id, action.refusal_name())?;
    check_version(expected_version, current.version, "the task")?;
    let Some(next) = workflow::task_transition(current.status, action) else {
        return Err(illegal(action.name(), current.status));
    };
    let now = Utc::now();
    let mut model: task::ActiveModel = current.clone().into();
    model.status = Set(next);
    let (kind, level) = match action {
        TaskAction::Verify => {
            model.closed_at = Set(Some(now));
            (EventKind::Verified, None)
        }
        TaskAction::Cancel => {
            model.closed_at = Set(Some(now));
            (EventKind::Cancelled, None)
        }
        TaskAction::Reopen => {
            model.resolved_at = Set(None);
            (EventKind::Reopened, None)
        }
        TaskAction::Escalate => {
            let Some(level) = workflow::next_level(current.level) else {
                return Err(AppError::BadInput { message: "the task is already at city level".into(), field: Some("level".into()) });
            };
            // The street decides what it cannot solve: community staff raise a task to the
            // street, never past it.
            if level == TaskLevel::City && !matches!(cx.scope.principal(), Principal::StreetAdmin { .. }) {
                return Err(AppError::Forbidden("only street staff may escalate tasks to the city".into()));
            }
            model.level = Set(level);
            model.escalated_at = Set(Some(now));
            (EventKind::Escalated, Some(level))
        }
        TaskAction::Assign | TaskAction::Update => return Err(AppError::internal("not a staff transition")),
    };
    let updated = save_task(w.txn(), &current, model).await?;
    let mut reopened_shares = Vec::new();
    if action == TaskAction::Reopen {
        // Work starts again: finished shares go back to accepted.
        let done = assignment::Entity::find()
            .filter(assignment::Column::CommunityId.eq(current.community_id))
            .filter(assignment::Column::TaskId.eq(current.id))
            .filter(assignment::Column::Status.eq(AssignmentStatus::Done))
            .all(w.txn())
            .await?;
        let now = Utc::now();
        for share in done {
            let mut m: assignment::ActiveModel = share.clone().into();
            m.status = Set(AssignmentStatus::Accepted);
            m.version = Set(share.version + 1);
            m.updated_at = Set(now);
            reopened_shares.push(
                guarded_update::<assignment::Entity, _>(
                    w.txn(),
                    m,
                    assignment::Column::Id,
                    assignment::Column::Version,
                    share.id,
                    share.version,
                )
                .await?,
            );
        }
    }
    let mut event = Event::new(kind).status(current.status, next).note(note);
    event.level = level;
    push(&mut w, &updated, event).await?;
    // Each unit sees its own share reopened on the timeline.
    for share in &reopened_shares {
        let note = Some(format!("{} → {}", share_name(AssignmentStatus::Done), share_name(share.status)));
        push(&mut w, &updated, Event::new(EventKind::Reopened).share(share).note(note)).await?;
    }
    w.commit(
        Audit::new(action.name(), "Task")
            .object(updated.id)
            .community(updated.community_id)
            .summary(json!({ "from": status_name(current.status), "to": status_name(next), "level": updated.level.to_value() })),
    )
    .await?;
    Ok(updated)
}

// ---------------------------------------------------------------- ended committee seats

/// Ends a unit's seat on a community's joint committee (administrators). The unit's open shares
/// of the community's open tasks are flagged `seat_ended`, each with a `SEAT_ENDED` entry on
/// its task's timeline, so that staff find them (the `has_shares_of_ended_seats` task filter)
/// and reassign them ([`reassign_share`]): the unit no longer sees them. Returns the seat and
/// the number of shares flagged.
pub async fn end_committee_seat(
    cx: &Cx,
    id: Uuid,
    until: Option<NaiveDate>,
    expected_version: Option<i32>,
) -> AppResult<(entity::committee_membership::Model, usize)> {
    let mut w = Write::begin(cx).await?;
    let seat = crate::organisation::service::end_membership(w.txn(), cx, id, until, expected_version).await?;
    let unit =
        co_building_unit::Entity::find_by_id(seat.unit_id).one(w.txn()).await?.ok_or_else(|| AppError::internal("seat of no unit"))?;
    // Share changes take their task's lock first; so does this, in a fixed order.
    let tasks = w
        .lock_all(
            task::Entity::find()
                .filter(task::Column::CommunityId.eq(seat.community_id))
                .filter(task::Column::Status.is_in(OPEN_TASKS))
                .filter(tasks_shared_with(task::Column::Id, unit.id))
                .order_by_asc(task::Column::Id),
        )
        .await?;
    let now = Utc::now();
    let ends = seat.until.map(|d| d.to_string()).unwrap_or_default();
    let mut flagged = 0;
    for t in &tasks {
        let shares = assignment::Entity::find()
            .filter(assignment::Column::CommunityId.eq(t.community_id))
            .filter(assignment::Column::TaskId.eq(t.id))
            .filter(assignment::Column::UnitId.eq(unit.id))
            .filter(assignment::Column::Status.is_in(OPEN_SHARES))
            .filter(assignment::Column::SeatEnded.eq(false))
            .all(w.txn())
            .await?;
        for share in shares {
            let mut m: assignment::ActiveModel = share.clone().into();
            m.seat_ended = Set(true);
            m.updated_at = Set(now);
            m.version = Set(share.version + 1);
            let share = guarded_update::<assignment::Entity, _>(
                w.txn(),
                m,
                assignment::Column::Id,
                assignment::Column::Version,
                share.id,
                share.version,
            )
            .await?;
            let note = format!("{}'s seat on the joint committee ends {ends}: reassign its share", unit.name);
            push(&mut w, t, Event::new(EventKind::SeatEnded).share(&share).note(Some(note))).await?;
            flagged += 1;
        }
    }
    w.commit(
        Audit::new("endCommitteeMembership", "CommitteeMembership")
            .object(seat.id)
            .community(seat.community_id)
            .summary(json!({ "until": seat.until, "unit": unit.code, "sharesFlagged": flagged })),
    )
    .await?;
    Ok((seat, flagged))
}

/// Hands an open share whose unit's seat ended to another unit that sits on the community's
/// joint committee (staff): the old share is declined, the new unit gets a pending share of the
/// same role. Returns the task, the new share and the old one.
pub async fn reassign_share(
    cx: &Cx,
    id: Uuid,
    unit_id: Uuid,
    expected_version: Option<i32>,
    note: Option<String>,
) -> AppResult<(task::Model, assignment::Model, assignment::Model)> {
    cx.scope.require_authenticated()?;
    let note = clean_optional("note", note, 2000)?;
    let mut w = Write::begin(cx).await?;
    let seen = assignment::Entity::find_by_id(id)
        .filter(assignment_filter(&cx.scope))
        .one(w.txn())
        .await?
        .ok_or_else(|| AppError::not_found("assignment"))?;
    let current = visible_task(&w, seen.task_id).await?;
    cx.scope.require_staff(current.community_id, "reassign shares")?;
    // Read again under the task's lock.
    let share = assignment::Entity::find_by_id(seen.id).one(w.txn()).await?.ok_or_else(|| AppError::not_found("assignment"))?;
    check_version(expected_version, share.version, "the assignment")?;
    if !share.seat_ended || !OPEN_SHARES.contains(&share.status) {
        return Err(AppError::bad_input("id", "only an open share whose unit's committee seat ended is reassigned"));
    }
    let Some(next) = workflow::task_transition(current.status, TaskAction::Assign) else {
        return Err(illegal("reassignShare", current.status));
    };
    let unit =
        co_building_unit::Entity::find_by_id(unit_id).one(w.txn()).await?.ok_or_else(|| AppError::bad_input("unitId", "no such unit"))?;
    if unit.id == share.unit_id || !crate::organisation::service::unit_sits_on(w.txn(), current.community_id, unit.id).await? {
        return Err(AppError::bad_input("unitId", format!("{} does not sit on this community's joint committee", unit.name)));
    }
    let now = Utc::now();
    let mut old: assignment::ActiveModel = share.clone().into();
    old.status = Set(AssignmentStatus::Declined);
    old.decline_reason = Set(Some("the unit's seat on the joint committee ended; the share was reassigned".into()));
    old.updated_at = Set(now);
    old.version = Set(share.version + 1);
    let previous =
        guarded_update::<assignment::Entity, _>(w.txn(), old, assignment::Column::Id, assignment::Column::Version, share.id, share.version)
            .await?;
    let existing = assignment::Entity::find()
        .filter(assignment::Column::CommunityId.eq(current.community_id))
        .filter(assignment::Column::TaskId.eq(current.id))
        .filter(assignment::Column::UnitId.eq(unit.id))
        .one(w.txn())
        .await?;
    let taken = match existing {
        Some(a) if a.status != AssignmentStatus::Declined => {
            return Err(AppError::Conflict(format!("{} already has a share of this task", unit.name)));
        }
        Some(declined) => {
            let mut m: assignment::ActiveModel = declined.clone().into();
            m.role = Set(share.role);
            m.status = Set(AssignmentStatus::Pending);
            m.decline_reason = Set(None);
            m.note = Set(note.clone());
            m.seat_ended = Set(false);
            m.updated_at = Set(now);
            m.version = Set(declined.version + 1);
            guarded_update::<assignment::Entity, _>(
                w.txn(),
                m,
                assignment::Column::Id,
                assignment::Column::Version,
                declined.id,
                declined.version,
            )
            .await?
        }
        None => assignment::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(current.community_id),
            task_id: Set(current.id),
            unit_id: Set(unit.id),
            role: Set(share.role),
            status: Set(AssignmentStatus::Pending),
            decline_reason: Set(None),
            note: Set(note.clone()),
            seat_ended: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        }
        .insert(w.txn())
        .await
        .map_err(|e| conflict_on_unique(e, "this unit already has a share of this task"))?,
    };
    let mut model: task::ActiveModel = current.clone().into();
    model.status = Set(next);
    let updated = save_task(w.txn(), &current, model).await?;
    let from_unit = co_building_unit::Entity::find_by_id(share.unit_id).one(w.txn()).await?.map(|u| u.code).unwrap_or_default();
    let event_note = Some(note.unwrap_or_else(|| format!("takes over the share of {from_unit}, whose committee seat ended")));
    push(&mut w, &updated, Event::new(EventKind::Assigned).status(current.status, next).share(&taken).note(event_note)).await?;
    w.commit(
        Audit::new("reassignShare", "Assignment")
            .object(taken.id)
            .community(updated.community_id)
            .summary(json!({ "from": from_unit, "to": unit.code, "role": taken.role.to_value(), "previous": previous.id })),
    )
    .await?;
    Ok((updated, taken, previous))
}

// ---------------------------------------------------------------- partner actions

/// What a unit sends with an action on its share.
#[derive(Default)]
pub struct ShareInput {
    pub expected_version: Option<i32>,
    pub note: Option<String>,
    pub evidence: Vec<String>,
    pub reason: Option<String>,
    pub idempotency_key: Option<String>,
}

/// The idempotency principal of the caller: the unit for partner departments, else the label.
fn idempotency_principal(scope: &Scope) -> String {
    match scope.unit_id() {
        Some(u) => format!("unit:{u}"),
        None => scope.identity(),
    }
}

fn clean_key(key: Option<String>) -> AppResult<Option<String>> {
    match key {
        Some(k) if k.is_empty() || k.len() > 128 => {
            Err(AppError::bad_input("idempotencyKey", "an idempotency key has 1 to 128 characters"))
        }
        other => Ok(other),
    }
}

/// The object a key already produced, if the key was used before for this operation (an
/// action and its target, e.g. `acceptAssignment:<share id>`).
async fn replayed(db: &impl ConnectionTrait, principal: &str, key: &str, operation: &str) -> AppResult<Option<Uuid>> {
    let found = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::Principal.eq(principal))
        .filter(idempotency_key::Column::Key.eq(key))
        .one(db)
        .await?;
    match found {
        Some(k) if k.operation == operation => Ok(Some(k.object_id)),
        Some(_) => Err(AppError::Conflict("this idempotency key was used for another operation".into())),
        None => Ok(None),
    }
}

/// Claims a key inside the transaction. `Some(object)` means another request holding the key
/// committed first: the caller returns that result and changes nothing.
/// Dropping the write rolls it back.
async fn claim<'a>(w: Write<'a>, key: &Option<String>, operation: &str, object: Uuid) -> AppResult<Result<Write<'a>, Uuid>> {
    let Some(key) = key else { return Ok(Ok(w)) };
    let cx = w.cx();
    let principal = idempotency_principal(&cx.scope);
    if let Some(first) = replayed(w.txn(), &principal, key, operation).await? {
        drop(w);
        return Ok(Err(first));
    }
    let inserted = idempotency_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        principal: Set(principal.clone()),
        key: Set(key.clone()),
        operation: Set(operation.to_owned()),
        object_id: Set(object),
        created_at: Set(Utc::now()),
    }
    .insert(w.txn())
    .await;
    match inserted {
        Ok(_) => Ok(Ok(w)),
        Err(e) if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {
            // A concurrent retry committed first.
            drop(w);
            match replayed(&cx.db, &principal, key, operation).await? {
                Some(first) => Ok(Err(first)),
                None => Err(AppError::Conflict("a request with this idempotency key is in progress; retry".into())),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// A unit accepts, declines, starts or resolves its own share of a task.
pub async fn share_action(cx: &Cx, id: Uuid, action: AssignmentAction, input: ShareInput) -> AppResult<(task::Model, assignment::Model)> {
    cx.scope.require_authenticated()?;
    let note = clean_optional("note", input.note, 2000)?;
    let evidence = clean_evidence(input.evidence)?;
    let key = clean_key(input.idempotency_key)?;
    let reason = clean_optional("reason", input.reason, 500)?;
    if action == AssignmentAction::Decline && reason.is_none() {
        return Err(AppError::bad_input("reason", "say why the share is declined"));
    }
    let w = Write::begin(cx).await?;
    let share = assignment::Entity::find_by_id(id)
        .filter(assignment_filter(&cx.scope))
        .one(w.txn())
        .await?
        .ok_or_else(|| AppError::not_found("assignment"))?;
    if cx.scope.unit_id() != Some(share.unit_id) {
        return Err(AppError::Forbidden("only the assigned unit acts on its share".into()));
    }
    // The task's lock first, then the key, in the same order as every task change takes them.
    let current = visible_task(&w, share.task_id).await?;
    // The key names one action on one share: reused for another, it is a CONFLICT.
    let mut w = match claim(w, &key, &format!("{}:{}", action.name(), share.id), share.id).await? {
        Ok(w) => w,
        Err(first) => return replay_share(cx, first).await,
    };
    // Read the share again under the task's lock: a concurrent change may have moved it.
    let share = assignment::Entity::find_by_id(share.id).one(w.txn()).await?.ok_or_else(|| AppError::not_found("assignment"))?;
    check_version(input.expected_version, share.version, "the assignment")?;
    let Some(next_share) = workflow::assignment_transition(current.status, share.status, action) else {
        return Err(AppError::BadInput {
            message: format!(
                "cannot {} an assignment that is {} on a task that is {}",
                action.name(),
                share_name(share.status),
                status_name(current.status)
            ),
            field: Some("status".into()),
        });
    };
    let now = Utc::now();
    let mut m: assignment::ActiveModel = share.clone().into();
    m.status = Set(next_share);
    m.updated_at = Set(now);
    m.version = Set(share.version + 1);
    if action == AssignmentAction::Decline {
        m.decline_reason = Set(reason.clone());
    }
    if note.is_some() {
        m.note = Set(note.clone());
    }
    let updated_share =
        guarded_update::<assignment::Entity, _>(w.txn(), m, assignment::Column::Id, assignment::Column::Version, share.id, share.version)
            .await?;

    let shares = assignment::Entity::find()
        .filter(assignment::Column::CommunityId.eq(current.community_id))
        .filter(assignment::Column::TaskId.eq(current.id))
        .all(w.txn())
        .await?;
    let states: Vec<(bool, AssignmentStatus)> = shares.iter().map(|a| (a.role == AssignmentRole::Lead, a.status)).collect();
    let next_task = workflow::task_after_shares(current.status, &states);
    let task = if next_task != current.status {
        let mut t: task::ActiveModel = current.clone().into();
        t.status = Set(next_task);
        if next_task == TaskStatus::Resolved {
            t.resolved_at = Set(Some(now));
        }
        save_task(w.txn(), &current, t).await?
    } else {
        current.clone()
    };
    let kind = match action {
        AssignmentAction::Accept => EventKind::Accepted,
        AssignmentAction::Decline => EventKind::Declined,
        AssignmentAction::Start => EventKind::Started,
        AssignmentAction::Resolve => EventKind::PartDone,
    };
    let event_note = if action == AssignmentAction::Decline { reason.clone() } else { note.clone() };
    push(&mut w, &task, Event::new(kind).share(&updated_share).note(event_note).evidence(evidence)).await?;
    if next_task != current.status {
        let kind = match next_task {
            TaskStatus::Resolved => EventKind::Resolved,
            TaskStatus::InProgress => EventKind::Started,
            _ => EventKind::Updated,
        };
        push(&mut w, &task, Event::new(kind).status(current.status, next_task)).await?;
    }
    w.commit(
        Audit::new(action.name(), "Assignment")
            .object(updated_share.id)
            .community(task.community_id)
            .summary(json!({ "share": share_name(next_share), "task": status_name(task.status) })),
    )
    .await?;
    Ok((task, updated_share))
}

async fn replay_share(cx: &Cx, share_id: Uuid) -> AppResult<(task::Model, assignment::Model)> {
    let share = assignment::Entity::find_by_id(share_id)
        .filter(assignment_filter(&cx.scope))
        .one(&cx.db)
        .await?
        .ok_or_else(|| AppError::not_found("assignment"))?;
    let task = task::Entity::find_by_id(share.task_id)
        .filter(task_filter(&cx.scope))
        .one(&cx.db)
        .await?
        .ok_or_else(|| AppError::not_found("task"))?;
    Ok((task, share))
}

/// Adds a comment to a task's timeline (anyone who may see the task, except reporters).
pub async fn comment(
    cx: &Cx,
    task_id: Uuid,
    note: String,
    evidence: Vec<String>,
    idempotency_key: Option<String>,
) -> AppResult<(task::Model, task_event::Model)> {
    cx.scope.require_authenticated()?;
    if matches!(cx.scope.principal(), Principal::Reporter { .. }) {
        return Err(AppError::Forbidden("reporters read; they do not comment".into()));
    }
    let note = clean_name("note", &note, 2000)?;
    let evidence = clean_evidence(evidence)?;
    let key = clean_key(idempotency_key)?;
    let w = Write::begin(cx).await?;
    let task = visible_task(&w, task_id).await?;
    let event_id_hint = Uuid::now_v7();
    let mut w = match claim(w, &key, &format!("commentOnTask:{}", task.id), event_id_hint).await? {
        Ok(w) => w,
        Err(first) => {
            let event = task_event::Entity::find_by_id(first)
                .filter(event_filter(&cx.scope))
                .one(&cx.db)
                .await?
                .ok_or_else(|| AppError::not_found("comment"))?;
            return Ok((task, event));
        }
    };
    let mut event = push(&mut w, &task, Event::new(EventKind::Commented).note(Some(note)).evidence(evidence)).await?;
    if key.is_some() {
        // Point the key at the comment it produced.
        idempotency_key::Entity::update_many()
            .col_expr(idempotency_key::Column::ObjectId, Expr::value(event.id))
            .filter(idempotency_key::Column::ObjectId.eq(event_id_hint))
            .exec(w.txn())
            .await?;
    }
    if let Some(u) = cx.scope.unit_id() {
        // A unit's comment is its own timeline entry.
        let mut m: task_event::ActiveModel = event.clone().into();
        m.unit_id = Set(Some(u));
        event = m.update(w.txn()).await?;
    }
    w.commit(Audit::new("commentOnTask", "Task").object(task.id).community(task.community_id).summary(json!({ "event": event.id })))
        .await?;
    Ok((task, event))
}

// ---------------------------------------------------------------- inspections

/// A finding to record.
pub struct NewFinding {
    pub description: String,
    pub category: TaskCategory,
    pub evidence: Vec<String>,
}

/// An inspection to record.
pub struct NewInspection {
    pub community_id: Uuid,
    pub site_id: Option<Uuid>,
    pub patrol: String,
    pub inspected_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub findings: Vec<NewFinding>,
}

/// Records a patrol's inspection with its findings (staff).
pub async fn create_inspection(cx: &Cx, input: NewInspection) -> AppResult<inspection::Model> {
    cx.scope.require_staff(input.community_id, "record inspections")?;
    let patrol = clean_name("patrol", &input.patrol, 100)?;
    check_optional_time("inspectedAt", input.inspected_at)?;
    let note = clean_optional("note", input.note, 2000)?;
    if input.findings.len() > 50 {
        return Err(AppError::bad_input("findings", "at most 50 findings per inspection"));
    }
    let w = Write::begin(cx).await?;
    check_links(w.txn(), input.community_id, None, input.site_id).await?;
    let now = Utc::now();
    let model = inspection::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(input.community_id),
        site_id: Set(input.site_id),
        patrol: Set(patrol),
        inspected_at: Set(input.inspected_at.unwrap_or(now)),
        note: Set(note),
        created_by: Set(cx.scope.label().to_owned()),
        created_at: Set(now),
    }
    .insert(w.txn())
    .await?;
    let mut rows = Vec::new();
    for f in input.findings {
        rows.push(finding::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(input.community_id),
            inspection_id: Set(model.id),
            description: Set(clean_name("description", &f.description, 2000)?),
            category: Set(f.category),
            evidence: Set(crate::validate::to_json_list(&clean_evidence(f.evidence)?)),
            task_id: Set(None),
            created_at: Set(now),
        });
    }
    let count = rows.len();
    if !rows.is_empty() {
        finding::Entity::insert_many(rows).exec(w.txn()).await?;
    }
    w.commit(
        Audit::new("createInspection", "Inspection")
            .object(model.id)
            .community(model.community_id)
            .summary(json!({ "patrol": model.patrol, "findings": count })),
    )
    .await?;
    Ok(model)
}

/// What to add when a finding becomes a task.
pub struct FindingTask {
    pub title: Option<String>,
    pub priority: TaskPriority,
    pub due_at: Option<DateTime<Utc>>,
    pub campaign_id: Option<Uuid>,
}

/// Turns a finding into a task in one step (staff); a finding becomes at most one task.
pub async fn task_from_finding(cx: &Cx, finding_id: Uuid, extra: FindingTask) -> AppResult<task::Model> {
    cx.scope.require_authenticated()?;
    let mut w = Write::begin(cx).await?;
    // A finding the caller cannot read answers as one that does not exist.
    let found = finding::Entity::find_by_id(finding_id)
        .filter(finding_filter(&cx.scope))
        .one(w.txn())
        .await?
        .ok_or_else(|| AppError::not_found("finding"))?;
    cx.scope.require_staff(found.community_id, "turn findings into tasks")?;
    if found.task_id.is_some() {
        return Err(AppError::Conflict("this finding is already a task".into()));
    }
    let site_id = inspection::Entity::find_by_id(found.inspection_id).one(w.txn()).await?.and_then(|i| i.site_id);
    let title = extra.title.unwrap_or_else(|| found.description.chars().take(60).collect());
    let evidence: Vec<String> = serde_json::from_str(&found.evidence).unwrap_or_default();
    let input = NewTask {
        community_id: found.community_id,
        title,
        description: found.description.clone(),
        category: found.category,
        priority: extra.priority,
        due_at: extra.due_at,
        campaign_id: extra.campaign_id,
        site_id,
        evidence,
    };
    let (task, audit) = insert_task(&mut w, input, "createTaskFromFinding").await?;
    let updated = finding::Entity::update_many()
        .col_expr(finding::Column::TaskId, Expr::value(task.id))
        .filter(finding::Column::Id.eq(found.id))
        .filter(finding::Column::TaskId.is_null())
        .exec(w.txn())
        .await?;
    if updated.rows_affected == 0 {
        return Err(AppError::Conflict("this finding is already a task".into()));
    }
    w.commit(audit).await?;
    Ok(task)
}

// ---------------------------------------------------------------- escalation

/// When open tasks escalate: to the street once overdue, to the city once overdue by `to_city`.
#[derive(Debug, Clone, Copy)]
pub struct EscalationPolicy {
    pub to_city: chrono::Duration,
}

impl Default for EscalationPolicy {
    fn default() -> Self {
        EscalationPolicy { to_city: chrono::Duration::days(3) }
    }
}

/// One run of the escalation job (三级联动): every open, overdue task rises one level when it is
/// due to; the conditional update makes concurrent or repeated runs escalate each task once
/// per level. Returns how many tasks rose.
pub async fn escalate_overdue(cx: &Cx, now: DateTime<Utc>, policy: EscalationPolicy) -> AppResult<usize> {
    let open = [TaskStatus::Reported, TaskStatus::Assigned, TaskStatus::InProgress, TaskStatus::Reopened];
    let due: Vec<task::Model> = task::Entity::find()
        .filter(task::Column::Status.is_in(open))
        .filter(task::Column::DueAt.lt(now))
        .filter(task::Column::Level.ne(TaskLevel::City))
        .all(&cx.db)
        .await?;
    let mut escalated = 0;
    for t in due {
        let Some(due_at) = t.due_at else { continue };
        let target = match t.level {
            TaskLevel::Community => TaskLevel::Street,
            TaskLevel::Street if now - due_at > policy.to_city => TaskLevel::City,
            _ => continue,
        };
        let mut w = Write::begin(cx).await?;
        let result = task::Entity::update_many()
            .col_expr(task::Column::Level, Expr::value(target.to_value()))
            .col_expr(task::Column::EscalatedAt, Expr::value(now))
            .col_expr(task::Column::Version, Expr::col(task::Column::Version).add(1))
            .col_expr(task::Column::UpdatedAt, Expr::value(now))
            .filter(task::Column::Id.eq(t.id))
            // Unchanged since it was read: a task resolved, cancelled, rescheduled or escalated
            // meanwhile is left to the next run, which sees it as it is.
            .filter(task::Column::Version.eq(t.version))
            .filter(task::Column::Level.eq(t.level))
            .filter(task::Column::Status.is_in(open))
            .filter(task::Column::DueAt.lt(now))
            .exec(w.txn())
            .await?;
        if result.rows_affected == 0 {
            continue; // dropping the write rolls it back
        }
        let mut event = Event::new(EventKind::Escalated).note(Some(format!("overdue since {}", due_at.format("%Y-%m-%d %H:%M UTC"))));
        event.level = Some(target);
        push(&mut w, &t, event).await?;
        let summary = json!({ "from": t.level.to_value(), "to": target.to_value(), "automatic": true });
        w.commit(Audit::new("escalateTask", "Task").object(t.id).community(t.community_id).summary(summary)).await?;
        escalated += 1;
    }
    Ok(escalated)
}

/// The communities of a street, for the system scope of jobs.
pub async fn all_community_ids(db: &impl ConnectionTrait) -> AppResult<Vec<Uuid>> {
    Ok(community::Entity::find().select_only().column(community::Column::Id).into_tuple::<Uuid>().all(db).await?)
}
