//! The nine categories of the street's demand list, as the platform defines them. Street
//! administrators add and retire categories through the API afterwards.
use sea_orm_migration::prelude::*;

use crate::m20261126_000020_create_service_categories::ServiceCategory;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Code and name of each category.
pub const CATEGORIES: [(&str, &str); 9] = [
    ("sanitation", "环境卫生整治"),
    ("fire-safety-outreach", "消防安全宣传"),
    ("illegal-construction-watch", "违章搭建监督"),
    ("traffic-civility", "文明交通引导"),
    ("civility-persuasion", "文明劝导宣教"),
    ("elder-care", "帮扶敬老"),
    ("epidemic-prevention", "疫情防控"),
    ("dispute-mediation", "矛盾调解"),
    ("micro-governance", "社区微治理"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut insert = Query::insert();
        insert.into_table(ServiceCategory::Table).columns([
            ServiceCategory::Id,
            ServiceCategory::Code,
            ServiceCategory::Name,
            ServiceCategory::CreatedAt,
        ]);
        for (i, (code, name)) in CATEGORIES.iter().enumerate() {
            // Fixed ids, so that every database names the standard categories alike.
            let id = format!("00000000-0000-7000-8000-0000000000{:02}", i + 1);
            let id = sea_orm_migration::sea_orm::prelude::Uuid::parse_str(&id).map_err(|e| DbErr::Custom(e.to_string()))?;
            insert.values_panic([id.into(), (*code).into(), (*name).into(), Expr::current_timestamp()]);
        }
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.exec_stmt(Query::delete().from_table(ServiceCategory::Table).to_owned()).await
    }
}
