//! Reporting: every noun's figures and records as tables that reporting tools take whole.
//!
//! A noun feeds reporting through one mechanism: a [`Dataset`] (a name, documented columns, the
//! filters it takes, and its rows for a caller). Record datasets stream their rows from one
//! statement ([`stream`]), so an export of any size is served in constant memory; figure
//! datasets return the rows of the same service function that answers the noun's GraphQL
//! figures ([`records`]), so a spreadsheet and a chart never disagree. The catalogue of every
//! noun's datasets is assembled at the root (in `src/catalogue.rs`); `/export` serves it as CSV
//! and NDJSON ([`encode`]). Scope and masking are the noun's, exactly as in GraphQL: a dataset's
//! rows come from the same filtered selects as its GraphQL list.
//!
//! Adding a dataset to a noun is a few lines in `src/<noun>/reporting.rs`:
//!
//! ```ignore
//! pub struct Sites;
//! #[async_trait::async_trait]
//! impl Dataset for Sites {
//!     fn about(&self) -> About { About { name: "sites", doc: "Sites of the campaigns.", columns: SITE_COLUMNS, filters: &[Filter::Community] } }
//!     async fn rows(&self, cx: Cx, f: Filters) -> AppResult<Rows> {
//!         let select = site::Entity::find().filter(visibility::site_filter(&cx.scope));
//!         stream(&cx, f.community.map_or(select.clone(), |c| select.filter(site::Column::CommunityId.eq(c))), |s: site::Model| vec![Cell::id("Site", s.id), s.name.into()]).await
//!     }
//! }
//! ```

pub mod encode;
pub mod graphql;
pub mod html;
pub mod keys;
pub mod period;

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use sea_orm::{EntityTrait, FromQueryResult, Select};
use uuid::Uuid;

use crate::cx::Cx;
use crate::error::{AppError, AppResult};
use crate::graphql::ids::{global_id, parse_global_id};

pub use period::Period;

/// One column of a dataset: its name (snake_case, as the CSV header and the NDJSON key) and
/// what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Column {
    pub name: &'static str,
    pub doc: &'static str,
}

/// A column, for the tables of datasets: `col("opened", "Tasks opened in the range.")`.
pub const fn col(name: &'static str, doc: &'static str) -> Column {
    Column { name, doc }
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Num(f64),
    Text(String),
    Bool(bool),
    /// A moment, written in RFC 3339 UTC.
    Time(DateTime<Utc>),
    /// A day, `YYYY-MM-DD`.
    Date(NaiveDate),
}

impl Cell {
    /// The global id of an object (the same as its GraphQL `id`), so exported rows join with
    /// what the API returns.
    pub fn id(kind: &str, id: Uuid) -> Cell {
        Cell::Text(global_id(kind, id).0)
    }

    /// The global id of an optional object, or null.
    pub fn opt_id(kind: &str, id: Option<Uuid>) -> Cell {
        id.map_or(Cell::Null, |id| Cell::id(kind, id))
    }

    /// A count.
    pub fn count(n: u64) -> Cell {
        Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Int(n)
    }
}

impl From<i32> for Cell {
    fn from(n: i32) -> Cell {
        Cell::Int(n.into())
    }
}

impl From<bool> for Cell {
    fn from(b: bool) -> Cell {
        Cell::Bool(b)
    }
}

impl From<DateTime<Utc>> for Cell {
    fn from(t: DateTime<Utc>) -> Cell {
        Cell::Time(t)
    }
}

impl From<NaiveDate> for Cell {
    fn from(d: NaiveDate) -> Cell {
        Cell::Date(d)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Cell {
        v.map_or(Cell::Null, Into::into)
    }
}

impl From<Option<f64>> for Cell {
    fn from(v: Option<f64>) -> Cell {
        v.map_or(Cell::Null, Cell::Num)
    }
}

/// One row: a cell per column, in the dataset's column order.
pub type Row = Vec<Cell>;

/// The rows of a dataset, as they come.
pub type Rows = BoxStream<'static, AppResult<Row>>;

/// A filter a dataset may take; the names are those of the GraphQL arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// `from`, `to`: the first and last day, Beijing time.
    Period,
    /// `communityId`
    Community,
    /// `compoundId`
    Compound,
    /// `unitId`
    Unit,
    /// `campaignId`
    Campaign,
    /// `by`: the grouping of a figure, one of the dataset's [`About::groupings`].
    By,
}

impl Filter {
    /// The parameter names of the filter.
    pub fn params(self) -> &'static [&'static str] {
        match self {
            Filter::Period => &["from", "to"],
            Filter::Community => &["communityId"],
            Filter::Compound => &["compoundId"],
            Filter::Unit => &["unitId"],
            Filter::Campaign => &["campaignId"],
            Filter::By => &["by"],
        }
    }
}

/// What a dataset is: its name in `/export/{name}.csv`, what a row is, its columns, the filters
/// it takes and, for figures, the groupings `by` may name (the first is the default).
#[derive(Debug, Clone, Copy)]
pub struct About {
    pub name: &'static str,
    pub doc: &'static str,
    pub columns: &'static [Column],
    pub filters: &'static [Filter],
    pub groupings: &'static [&'static str],
}

/// The filters of one request for a dataset, parsed and checked against what it takes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub period: Period,
    pub community: Option<Uuid>,
    pub compound: Option<Uuid>,
    pub unit: Option<Uuid>,
    pub campaign: Option<Uuid>,
    /// The grouping, one of the dataset's; the first when none was asked for.
    pub by: Option<&'static str>,
}

impl Filters {
    /// Parses `(name, value)` parameters for a dataset: unknown parameters, filters the dataset
    /// does not take, malformed days and ids of the wrong type are `BAD_USER_INPUT`.
    pub fn parse<'a>(about: &About, params: impl IntoIterator<Item = (&'a str, &'a str)>) -> AppResult<Filters> {
        let mut f = Filters { by: about.groupings.first().copied(), ..Filters::default() };
        let (mut from, mut to) = (None, None);
        for (name, value) in params {
            let filter = about.filters.iter().find(|filter| filter.params().contains(&name)).ok_or_else(|| {
                let known: Vec<&str> = about.filters.iter().flat_map(|f| f.params().iter().copied()).collect();
                AppError::bad_input(name, format!("`{}` takes no `{name}`; it takes: {}", about.name, known.join(", ")))
            })?;
            let id = |kind: &str| -> AppResult<Option<Uuid>> {
                match parse_global_id(value) {
                    Some((k, uuid)) if k == kind => Ok(Some(uuid)),
                    _ => Err(AppError::bad_input(name, format!("expected the id of a {kind}"))),
                }
            };
            match (filter, name) {
                (Filter::Period, "from") => from = Some(period::parse_day(name, value)?),
                (Filter::Period, _) => to = Some(period::parse_day(name, value)?),
                (Filter::Community, _) => f.community = id("Community")?,
                (Filter::Compound, _) => f.compound = id("Compound")?,
                (Filter::Unit, _) => f.unit = id("CoBuildingUnit")?,
                (Filter::Campaign, _) => f.campaign = id("Campaign")?,
                (Filter::By, _) => {
                    let found = about.groupings.iter().find(|g| g.eq_ignore_ascii_case(value));
                    f.by = Some(*found.ok_or_else(|| {
                        AppError::bad_input("by", format!("`{}` groups by one of: {}", about.name, about.groupings.join(", ")))
                    })?);
                }
            }
        }
        f.period = Period::new(from, to)?;
        Ok(f)
    }
}

/// A dataset a noun feeds to reporting (see the module documentation).
#[async_trait::async_trait]
pub trait Dataset: Send + Sync {
    /// Its name, columns, filters and groupings.
    fn about(&self) -> About;

    /// Its rows for the caller of `cx`, filtered; the caller's scope and masking apply as in
    /// GraphQL. Errors before the first row (a refused caller, a community out of scope) come
    /// from here, not from the stream.
    async fn rows(&self, cx: Cx, filters: Filters) -> AppResult<Rows>;
}

/// The datasets of every noun, by name.
pub type Catalogue = Arc<[Arc<dyn Dataset>]>;

/// A figure's row type: its columns and its cells in that order, for figures computed by a
/// service function and returned whole (a few rows per group).
pub trait Record {
    const COLUMNS: &'static [Column];
    fn cells(self) -> Row;
}

/// The `p`-th percentile (nearest rank) of sorted values: the median is `percentile(v, 50.0)`.
/// Figures compute percentiles here rather than in SQL, the same on both databases (SQLite has
/// no `percentile_cont`).
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

/// The rows of a figure, from the values its service function returned.
pub fn records<R: Record + Send + 'static>(rows: Vec<R>) -> Rows {
    futures_util::stream::iter(rows.into_iter().map(|r| Ok(r.cells()))).boxed()
}

/// The rows of one select, streamed from the database as they come (one statement, constant
/// memory), each mapped by `row`. The select carries the caller's scope, built by the noun
/// as for its GraphQL list.
pub async fn stream<E, F>(cx: &Cx, select: Select<E>, row: F) -> AppResult<Rows>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Send,
    F: Fn(E::Model) -> Row + Send + 'static,
{
    let stmt = sea_orm::QueryTrait::build(&select, sea_orm::ConnectionTrait::get_database_backend(&cx.db));
    let results = cx.db.stream(stmt).await?;
    Ok(results
        .map(move |r| {
            let r = r.map_err(AppError::from)?;
            Ok(row(E::Model::from_query_result(&r, "").map_err(AppError::from)?))
        })
        .boxed())
}

/// The rows of a raw statement's results, for datasets whose rows join several tables.
pub async fn stream_results<F>(cx: &Cx, stmt: sea_orm::Statement, row: F) -> AppResult<Rows>
where
    F: Fn(&sea_orm::QueryResult) -> Result<Row, sea_orm::DbErr> + Send + 'static,
{
    let results = cx.db.stream(stmt).await?;
    Ok(results.map(move |r| row(&r.map_err(AppError::from)?).map_err(AppError::from)).boxed())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABOUT: About = About {
        name: "things",
        doc: "",
        columns: &[],
        filters: &[Filter::Period, Filter::Community, Filter::By],
        groupings: &["TOTAL", "MONTH"],
    };

    #[test]
    fn filters_are_those_of_the_dataset_and_checked() {
        let c = Uuid::now_v7();
        let id = global_id("Community", c).0;
        let f = Filters::parse(&ABOUT, [("from", "2026-11-01"), ("communityId", id.as_str()), ("by", "month")]).unwrap_or_default();
        assert_eq!(f.community, Some(c));
        assert_eq!(f.by, Some("MONTH"));
        assert_eq!(f.period.from, NaiveDate::from_ymd_opt(2026, 11, 1));
        assert_eq!(Filters::parse(&ABOUT, []).map(|f| f.by).ok(), Some(Some("TOTAL")), "the first grouping is the default");
        let bad = |params: &[(&str, &str)]| Filters::parse(&ABOUT, params.iter().copied()).err().map(|e| e.code());
        assert_eq!(bad(&[("unitId", "x")]), Some("BAD_USER_INPUT"), "a filter the dataset does not take");
        assert_eq!(bad(&[("communityId", global_id("Compound", c).0.as_str())]), Some("BAD_USER_INPUT"));
        assert_eq!(bad(&[("from", "2026-13-01")]), Some("BAD_USER_INPUT"));
        assert_eq!(bad(&[("from", "2026-11-02"), ("to", "2026-11-01")]), Some("BAD_USER_INPUT"));
        assert_eq!(bad(&[("by", "WEEK")]), Some("BAD_USER_INPUT"));
    }
}
