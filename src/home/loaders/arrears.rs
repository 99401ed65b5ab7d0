//! Property-fee arrears' loaders: cases by id and per compound, contacts by id and per case, each
//! batch through `home::visibility` (staff, the owners' committee, the building's leader).

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{arrears_case, arrears_contact};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::HomeLoader;
use crate::error::AppError;
use crate::graphql::batch::{by, group, loader_key};
use crate::home::ids::{ArrearsCaseId, ArrearsContactId};
use crate::home::visibility;

loader_key!(/// The arrears cases of a compound the caller sees, newest first.
    ArrearsCasesOf);
loader_key!(/// The contact attempts on an arrears case, in the order they were made.
    ContactsOf);

impl Loader<ArrearsCaseId> for HomeLoader {
    type Value = arrears_case::Model;
    type Error = AppError;
    async fn load(&self, keys: &[ArrearsCaseId]) -> Result<HashMap<ArrearsCaseId, Self::Value>, Self::Error> {
        let roles = self.roles().await?;
        let rows = arrears_case::Entity::find()
            .filter(arrears_case::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::arrears_filter(&self.scope, roles))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| ArrearsCaseId(m.id)))
    }
}

impl Loader<ArrearsCasesOf> for HomeLoader {
    type Value = Vec<arrears_case::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[ArrearsCasesOf]) -> Result<HashMap<ArrearsCasesOf, Self::Value>, Self::Error> {
        let roles = self.roles().await?;
        let rows = arrears_case::Entity::find()
            .filter(arrears_case::Column::CompoundId.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::arrears_filter(&self.scope, roles))
            .order_by_desc(arrears_case::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(rows, |m| ArrearsCasesOf(m.compound_id)))
    }
}

impl Loader<ArrearsContactId> for HomeLoader {
    type Value = arrears_contact::Model;
    type Error = AppError;
    async fn load(&self, keys: &[ArrearsContactId]) -> Result<HashMap<ArrearsContactId, Self::Value>, Self::Error> {
        let roles = self.roles().await?;
        let rows = arrears_contact::Entity::find()
            .filter(arrears_contact::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::arrears_contact_filter(&self.scope, roles))
            .all(&self.db)
            .await?;
        Ok(by(rows, |m| ArrearsContactId(m.id)))
    }
}

impl Loader<ContactsOf> for HomeLoader {
    type Value = Vec<arrears_contact::Model>;
    type Error = AppError;
    async fn load(&self, keys: &[ContactsOf]) -> Result<HashMap<ContactsOf, Self::Value>, Self::Error> {
        let roles = self.roles().await?;
        let rows = arrears_contact::Entity::find()
            .filter(arrears_contact::Column::CaseId.is_in(keys.iter().map(|k| k.0)))
            .filter(visibility::arrears_contact_filter(&self.scope, roles))
            .order_by_asc(arrears_contact::Column::ContactedOn)
            .order_by_asc(arrears_contact::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(rows, |m| ContactsOf(m.case_id)))
    }
}
