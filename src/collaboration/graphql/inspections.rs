//! Inspections (巡查) and their findings: types, queries and mutations.

use super::*;

/// An inspection (巡查) of a site by a patrol team such as the civility patrol (文明劝导队).
pub struct Inspection(pub inspection::Model);
crate::graphql::connection::connection_node!(Inspection);

/// An inspection (巡查) of a site by a patrol team such as the civility patrol (文明劝导队).
#[Object]
impl Inspection {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::INSPECTION, self.0.id)
    }
    /// The patrol team.
    async fn patrol(&self) -> &str {
        &self.0.patrol
    }
    /// When the inspection took place.
    async fn inspected_at(&self) -> DateTime<Utc> {
        self.0.inspected_at
    }
    /// General note.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// Who recorded it.
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    /// The community.
    async fn community(&self, ctx: &Context<'_>) -> Result<Community> {
        crate::organisation::graphql::community_of(ctx, self.0.community_id).await
    }
    /// The site inspected.
    async fn site(&self, ctx: &Context<'_>) -> Result<Option<Site>> {
        match self.0.site_id {
            Some(s) => Ok(crate::collaboration::loaders::collab_loader(ctx)?.load_one(SiteId(s)).await?.map(Site)),
            None => Ok(None),
        }
    }
    /// What was found.
    async fn findings(&self, ctx: &Context<'_>) -> Result<Vec<Finding>> {
        Ok(crate::collaboration::loaders::collab_loader(ctx)?
            .load_one(FindingsOf(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Finding)
            .collect())
    }
}

/// Something an inspection found; `createTaskFromFinding` turns it into a task.
pub struct Finding(pub finding::Model);

/// Something an inspection found; `createTaskFromFinding` turns it into a task.
#[Object]
impl Finding {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::FINDING, self.0.id)
    }
    /// What was found.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Kind of problem.
    async fn category(&self) -> TaskCategory {
        self.0.category.into()
    }
    /// Photo URLs.
    async fn evidence(&self) -> Vec<String> {
        from_json_list(&self.0.evidence)
    }
    /// The task made from it, if any.
    async fn task(&self, ctx: &Context<'_>) -> Result<Option<Task>> {
        match self.0.task_id {
            Some(t) => Ok(crate::collaboration::loaders::collab_loader(ctx)?.load_one(TaskId(t)).await?.map(Task)),
            None => Ok(None),
        }
    }
}

/// Queries of inspections.
#[derive(Default)]
pub struct InspectionQuery;

/// Queries of inspections.
#[Object]
impl InspectionQuery {
    /// Inspections in the caller's scope (staff and reporters).
    #[graphql(complexity = "PageArgs::complexity(first, last, child_complexity)")]
    async fn inspections(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this community.")] community_id: Option<ID>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to page forward from.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to page backward from.")] before: Option<String>,
    ) -> Result<Conn<Inspection>> {
        let r = rc(ctx)?;
        let args = PageArgs::new(first, after, last, before)?;
        let community = community_id.as_ref().map(|id| expect_id(id, kind::COMMUNITY, "communityId").map(CommunityId)).transpose()?;
        let page = service::inspections(&r.cx, community, &args).await?;
        Ok(page.into_connection(|m| m.id, Inspection, TotalCount::lazy(InspectionCount(community))))
    }
}

struct InspectionCount(Option<CommunityId>);

#[async_trait::async_trait]
impl CountSource for InspectionCount {
    async fn count(&self, ctx: &Context<'_>) -> Result<u64, AppError> {
        service::inspection_count(&rc(ctx)?.cx, self.0).await
    }
}

/// One finding of an inspection.
#[derive(InputObject)]
pub struct FindingInput {
    /// What was found.
    pub description: String,
    /// Kind of problem.
    pub category: TaskCategory,
    /// Photo URLs.
    #[graphql(default)]
    pub evidence: Vec<String>,
}

/// Input of `createInspection`.
#[derive(InputObject)]
pub struct CreateInspectionInput {
    /// The community.
    pub community_id: ID,
    /// The site inspected.
    pub site_id: Option<ID>,
    /// The patrol team, e.g. 文明劝导队.
    pub patrol: String,
    /// When (default now).
    pub inspected_at: Option<DateTime<Utc>>,
    /// General note.
    pub note: Option<String>,
    /// What was found.
    #[graphql(default)]
    pub findings: Vec<FindingInput>,
}

/// Result of `createInspection`.
#[derive(SimpleObject)]
pub struct CreateInspectionPayload {
    /// The inspection with its findings.
    pub inspection: Inspection,
}

/// Input of `createTaskFromFinding`.
#[derive(InputObject)]
pub struct CreateTaskFromFindingInput {
    /// The finding.
    pub finding_id: ID,
    /// Title (default: the start of the finding's description).
    pub title: Option<String>,
    /// Urgency.
    #[graphql(default_with = "TaskPriority::Normal")]
    pub priority: TaskPriority,
    /// When it is due.
    pub due_at: Option<DateTime<Utc>>,
    /// The campaign it belongs to.
    pub campaign_id: Option<ID>,
}

/// Mutations of inspections.
#[derive(Default)]
pub struct InspectionMutation;

/// Mutations of inspections.
#[Object]
impl InspectionMutation {
    /// Records a patrol's inspection with its findings (staff).
    async fn create_inspection(&self, ctx: &Context<'_>, input: CreateInspectionInput) -> Result<CreateInspectionPayload> {
        let r = rc(ctx)?;
        let new = service::NewInspection {
            community_id: expect_id(&input.community_id, kind::COMMUNITY, "communityId").map(CommunityId)?,
            site_id: input.site_id.as_ref().map(|id| expect_id(id, kind::SITE, "siteId").map(SiteId)).transpose()?,
            patrol: input.patrol,
            inspected_at: input.inspected_at,
            note: input.note,
            findings: input
                .findings
                .into_iter()
                .map(|f| service::NewFinding { description: f.description, category: f.category.into(), evidence: f.evidence })
                .collect(),
        };
        Ok(CreateInspectionPayload { inspection: Inspection(service::create_inspection(&r.cx, new).await?) })
    }

    /// Turns an inspection finding into a task in one step (staff).
    async fn create_task_from_finding(&self, ctx: &Context<'_>, input: CreateTaskFromFindingInput) -> Result<TaskPayload> {
        let r = rc(ctx)?;
        let finding = FindingId(expect_id(&input.finding_id, kind::FINDING, "findingId")?);
        let extra = service::FindingTask {
            title: input.title,
            priority: input.priority.into(),
            due_at: input.due_at,
            campaign_id: input.campaign_id.as_ref().map(|id| expect_id(id, kind::CAMPAIGN, "campaignId").map(CampaignId)).transpose()?,
        };
        Ok(TaskPayload { task: Task(service::task_from_finding(&r.cx, finding, extra).await?) })
    }
}
