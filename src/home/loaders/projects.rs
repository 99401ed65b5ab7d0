//! Renovation projects' loaders: projects by id and per compound, their milestones and the
//! collaboration tasks they spawned, each batch through `home::visibility`.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{project, project_milestone, project_task, task};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};

use super::HomeLoader;
use crate::error::AppError;
use crate::graphql::batch::{by, group, loader_key};
use crate::home::ids::{MilestoneId, ProjectId};
use crate::home::visibility;

loader_key!(/// The renovation projects of a compound the caller sees, newest first.
    ProjectsOf);
loader_key!(/// The milestones of a project, by date.
    MilestonesOf);
loader_key!(/// The collaboration tasks a project spawned that the caller sees, oldest first.
    TasksOfProject);

impl HomeLoader {
    /// The ids of the projects the caller sees, as a subquery.
    async fn visible_projects(&self) -> Result<sea_orm::sea_query::SelectStatement, AppError> {
        let roles = self.roles().await?;
        Ok(project::Entity::find()
            .select_only()
            .column(project::Column::Id)
            .filter(visibility::project_filter(&self.scope, roles))
            .into_query())
    }
}

impl Loader<ProjectId> for HomeLoader {
    type Value = project::Model;
    type Error = AppError;
    async fn load(&self, keys: &[ProjectId]) -> Result<HashMap<ProjectId, Self::Value>, Self::Error> {
        let roles = self.roles().await?;
        let rows = project::Entity::find()
            .filter(project::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::project_filter(&self.scope, roles))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| ProjectId(m.id)))
    }
}

impl Loader<ProjectsOf> for HomeLoader {
    type Value = Vec<project::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[ProjectsOf]) -> Result<HashMap<ProjectsOf, Self::Value>, Self::Error> {
        let roles = self.roles().await?;
        let rows = project::Entity::find()
            .filter(project::Column::CompoundId.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::project_filter(&self.scope, roles))
            .order_by_desc(project::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(rows, |m| ProjectsOf(m.compound_id)))
    }
}

impl Loader<MilestoneId> for HomeLoader {
    type Value = project_milestone::Model;
    type Error = AppError;
    async fn load(&self, keys: &[MilestoneId]) -> Result<HashMap<MilestoneId, Self::Value>, Self::Error> {
        let rows = project_milestone::Entity::find()
            .filter(project_milestone::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(project_milestone::Column::ProjectId.in_subquery(self.visible_projects().await?))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| MilestoneId(m.id)))
    }
}

impl Loader<MilestonesOf> for HomeLoader {
    type Value = Vec<project_milestone::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[MilestonesOf]) -> Result<HashMap<MilestonesOf, Self::Value>, Self::Error> {
        let rows = project_milestone::Entity::find()
            .filter(project_milestone::Column::ProjectId.is_in(keys.iter().map(|k| k.0)))
            .filter(project_milestone::Column::ProjectId.in_subquery(self.visible_projects().await?))
            .order_by_asc(project_milestone::Column::DueOn)
            .order_by_asc(project_milestone::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(rows, |m| MilestonesOf(m.project_id)))
    }
}

impl Loader<TasksOfProject> for HomeLoader {
    type Value = Vec<task::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[TasksOfProject]) -> Result<HashMap<TasksOfProject, Self::Value>, Self::Error> {
        let links = project_task::Entity::find()
            .filter(project_task::Column::ProjectId.is_in(keys.iter().map(|k| k.0)))
            .filter(project_task::Column::ProjectId.in_subquery(self.visible_projects().await?))
            .all(&self.db)
            .await?;
        if links.is_empty() {
            return Ok(HashMap::new());
        }
        // The tasks as collaboration shows them to the caller: a unit sees those shared with it.
        let tasks = by(
            task::Entity::find()
                .filter(task::Column::Id.is_in(links.iter().map(|l| l.task_id)))
                .filter(crate::collaboration::service::task_filter(&self.scope))
                .order_by_asc(task::Column::Id)
                .all(&self.db)
                .await?,
            |t| t.id,
        );
        let mut rows: Vec<(TasksOfProject, task::Model)> =
            links.iter().filter_map(|l| tasks.get(&l.task_id).map(|t| (TasksOfProject(l.project_id), t.clone()))).collect();
        rows.sort_by_key(|(_, t)| t.id);
        let mut out: HashMap<TasksOfProject, Vec<task::Model>> = HashMap::new();
        for (k, t) in rows {
            out.entry(k).or_default().push(t);
        }
        Ok(out)
    }
}
