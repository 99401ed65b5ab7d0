//! Inspections (巡查), their findings, and turning a finding into a task.

use super::*;

/// One page of a community's inspections (or all in scope).
pub async fn inspections(cx: &Cx, community_id: Option<CommunityId>, args: &PageArgs) -> AppResult<Page<inspection::Model>> {
    let community_id = community_id.map(|c| c.0);
    cx.scope.require_authenticated()?;
    let mut select = inspection::Entity::find().filter(inspection_filter(&cx.scope));
    if let Some(c) = community_id {
        select = select.filter(inspection::Column::CommunityId.eq(c));
    }
    Ok(args.finish(args.apply(select, inspection::Column::Id).all(&cx.db).await?))
}

/// How many inspections in scope match.
pub async fn inspection_count(cx: &Cx, community_id: Option<CommunityId>) -> AppResult<u64> {
    let community_id = community_id.map(|c| c.0);
    cx.scope.require_authenticated()?;
    let mut select = inspection::Entity::find().filter(inspection_filter(&cx.scope));
    if let Some(c) = community_id {
        select = select.filter(inspection::Column::CommunityId.eq(c));
    }
    Ok(select.count(&cx.db).await?)
}

/// A finding to record.
pub struct NewFinding {
    pub description: String,
    pub category: TaskCategory,
    pub evidence: Vec<String>,
}

/// An inspection to record.
pub struct NewInspection {
    pub community_id: CommunityId,
    pub site_id: Option<SiteId>,
    pub patrol: String,
    pub inspected_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub findings: Vec<NewFinding>,
}

/// Records a patrol's inspection with its findings (staff).
pub async fn create_inspection(cx: &Cx, input: NewInspection) -> AppResult<inspection::Model> {
    let community_id = input.community_id.0;
    let site_id = input.site_id.map(|s| s.0);
    cx.scope.require_staff(community_id, "record inspections")?;
    let patrol = clean_name("patrol", &input.patrol, 100)?;
    check_optional_time("inspectedAt", input.inspected_at)?;
    let note = clean_optional("note", input.note, 2000)?;
    if input.findings.len() > 50 {
        return Err(AppError::bad_input("findings", "at most 50 findings per inspection"));
    }
    let w = Write::begin(cx).await?;
    check_links(&w, community_id, None, site_id).await?;
    let now = Utc::now();
    let model = inspection::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community_id),
        site_id: Set(site_id),
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
            community_id: Set(community_id),
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
    pub campaign_id: Option<CampaignId>,
}

/// Turns a finding into a task in one step (staff); a finding becomes at most one task.
pub async fn task_from_finding(cx: &Cx, finding_id: FindingId, extra: FindingTask) -> AppResult<task::Model> {
    let finding_id = finding_id.0;
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
        community_id: CommunityId(found.community_id),
        title,
        description: found.description.clone(),
        category: found.category,
        priority: extra.priority,
        due_at: extra.due_at,
        campaign_id: extra.campaign_id,
        site_id: site_id.map(SiteId),
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
