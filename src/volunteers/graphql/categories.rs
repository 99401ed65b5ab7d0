//! Service categories: the demand list's categories (环境卫生整治, …), managed by street administrators.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::service_category;

use super::kind;
use crate::graphql::context::rc;
use crate::graphql::ids::{expect_id, global_id};
use crate::volunteers::ids::CategoryId;
use crate::volunteers::service;

/// A category of the demand list, e.g. 环境卫生整治.
pub struct ServiceCategory(pub service_category::Model);

/// A category of the demand list, e.g. 环境卫生整治.
#[Object]
impl ServiceCategory {
    /// Globally unique id.
    pub async fn id(&self) -> ID {
        global_id(kind::SERVICE_CATEGORY, self.0.id)
    }
    /// Readable code, e.g. `sanitation`.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// When it was retired, if it was.
    async fn retired_at(&self) -> Option<DateTime<Utc>> {
        self.0.retired_at
    }
}

/// Input of `createServiceCategory`.
#[derive(InputObject)]
pub struct CreateServiceCategoryInput {
    /// Code: lowercase letters, digits and dashes.
    pub code: String,
    /// Name.
    pub name: String,
}

/// Input of `retireServiceCategory`.
#[derive(InputObject)]
pub struct RetireServiceCategoryInput {
    /// The category.
    pub id: ID,
}

/// Result of the category mutations.
#[derive(SimpleObject)]
pub struct ServiceCategoryPayload {
    /// The category.
    pub category: ServiceCategory,
}

/// Queries of the volunteer service: categories.
#[derive(Default)]
pub struct CategoriesQuery;

/// Queries of the volunteer service: categories.
#[Object]
impl CategoriesQuery {
    /// The categories of the demand list.
    #[graphql(complexity = "crate::graphql::limits::DB_FIELD + child_complexity")]
    async fn service_categories(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Also retired ones.", default = false)] include_retired: bool,
    ) -> Result<Vec<ServiceCategory>> {
        Ok(service::categories(&rc(ctx)?.cx, include_retired).await?.into_iter().map(ServiceCategory).collect())
    }
}

/// Mutations of the volunteer service: categories; each is one transaction with its audit record.
#[derive(Default)]
pub struct CategoriesMutation;

/// Mutations of the volunteer service: categories; each is one transaction with its audit record.
#[Object]
impl CategoriesMutation {
    /// Adds a category to the demand list (street admins).
    async fn create_service_category(&self, ctx: &Context<'_>, input: CreateServiceCategoryInput) -> Result<ServiceCategoryPayload> {
        Ok(ServiceCategoryPayload { category: ServiceCategory(service::create_category(&rc(ctx)?.cx, &input.code, &input.name).await?) })
    }

    /// Retires a category (street admins).
    async fn retire_service_category(&self, ctx: &Context<'_>, input: RetireServiceCategoryInput) -> Result<ServiceCategoryPayload> {
        let id = expect_id(&input.id, kind::SERVICE_CATEGORY, "id").map(CategoryId)?;
        Ok(ServiceCategoryPayload { category: ServiceCategory(service::retire_category(&rc(ctx)?.cx, id).await?) })
    }
}
