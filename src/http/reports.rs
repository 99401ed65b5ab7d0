//! `GET /reports/monthly?month=2026-11[&community=ID]`: the month's figures of every platform on
//! one printable page, for the street (or the caller's community), with twelve-month trends.
//!
//! The page is drawn from the datasets of the catalogue (see `crate::reporting`), the same rows
//! as `/export` and the GraphQL figures, so the numbers on paper equal those of the API for the
//! same range. Each figure's cell carries `data-figure="<dataset>.<column>"`. The caller's
//! credential decides the scope as everywhere; a caller whose figures are refused (a member, a
//! unit) is refused the page with the same code.

use std::collections::HashMap;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt;
use sea_orm::EntityTrait;
use uuid::Uuid;

use super::AppState;
use crate::cx::Cx;
use crate::error::{AppError, AppResult};
use crate::reporting::html::Page;
use crate::reporting::period::{self, Period, months_ending};
use crate::reporting::{Cell, Dataset, Filters};

/// How a section reads its dataset's rows for one range.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Take {
    /// The dataset grouped in total: one row.
    Total,
    /// Rows of parts (per compound, per community) added up: for counts and sums only.
    Sum,
}

/// One platform's part of the page.
struct Section {
    title: &'static str,
    dataset: &'static str,
    take: Take,
    /// Whether the dataset counts within a range (false: a state of today, as the organisation).
    ranged: bool,
    /// (column, label) of the month's figures.
    figures: &'static [(&'static str, &'static str)],
    /// (column, caption) charted over twelve months.
    trends: &'static [(&'static str, &'static str)],
}

const SECTIONS: &[Section] = &[
    Section {
        title: "多维协作 · 任务",
        dataset: "task-figures",
        take: Take::Total,
        ranged: true,
        figures: &[
            ("opened", "新开任务"),
            ("resolved", "办结（待核验）"),
            ("verified", "核验通过"),
            ("reopened", "重新打开"),
            ("cancelled", "撤销"),
            ("overdue_now", "当前超期"),
            ("overdue_rate", "当前超期率"),
            ("median_hours_to_resolve", "办结用时中位数（小时）"),
            ("p90_hours_to_resolve", "办结用时 90 分位（小时）"),
            ("escalations_to_street", "升级至街道"),
            ("escalations_to_city", "升级至市级"),
        ],
        trends: &[("opened", "每月新开任务"), ("verified", "每月核验通过")],
    },
    Section {
        title: "党群志愿服务",
        dataset: "volunteer-figures",
        take: Take::Total,
        ranged: true,
        figures: &[
            ("activities", "开展活动"),
            ("person_times", "服务人次"),
            ("hours", "服务时长（小时）"),
            ("residents_served", "服务群众"),
        ],
        trends: &[("person_times", "每月服务人次"), ("activities", "每月活动")],
    },
    Section {
        title: "协商民主",
        dataset: "deliberation-figures",
        take: Take::Total,
        ranged: true,
        figures: &[
            ("meetings_held", "召开议事会"),
            ("appeals_raised", "收到诉求"),
            ("appeals_answered", "已答复"),
            ("appeals_done", "已办结"),
            ("appeals_merged", "合并"),
            ("appeals_rejected", "不予受理"),
            ("median_hours_to_first_response", "首次响应用时中位数（小时）"),
            ("rated_satisfied", "满意"),
            ("rated_partly", "基本满意"),
            ("rated_not_satisfied", "不满意"),
        ],
        trends: &[("appeals_raised", "每月收到诉求"), ("appeals_done", "每月办结诉求")],
    },
    Section {
        title: "家园共建",
        dataset: "home-figures",
        take: Take::Total,
        ranged: true,
        figures: &[
            ("buildings", "楼栋"),
            ("lanes", "街巷"),
            ("active_leaders", "在任楼（街巷）长"),
            ("leaders_chosen", "本月双向选择楼长"),
            ("projects_proposed", "提出微改造项目"),
            ("projects_approved", "批准微改造项目"),
            ("approved_budget_fen", "批准预算（分）"),
            ("projects_done", "完工项目"),
            ("projects_in_progress", "在建项目"),
            ("income_fen", "公共收益（分）"),
            ("disbursement_fen", "公共收益支出（分）"),
            ("arrears_opened", "新开物业费催缴"),
            ("arrears_paid", "催缴已缴清"),
            ("arrears_plan_agreed", "达成缴费计划"),
            ("arrears_open", "当前待催缴"),
        ],
        trends: &[("income_fen", "每月公共收益（分）"), ("projects_done", "每月完工项目")],
    },
    Section {
        title: "组织体系",
        dataset: "organisation-figures",
        take: Take::Sum,
        ranged: false,
        figures: &[
            ("resident_members", "居住地党员"),
            ("in_service_members", "在职党员（报到）"),
            ("joint_committees", "联合党委"),
            ("community_branches", "社区党支部"),
            ("compound_branches", "小区党支部"),
            ("seated_units", "共建单位席位"),
            ("compounds", "小区"),
            ("buildings", "楼栋与街巷"),
            ("households", "户数"),
        ],
        trends: &[],
    },
];

/// The report page, or the refusal of `/export` in JSON.
pub async fn monthly(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    peer: Option<axum::extract::Extension<super::Peer>>,
) -> Response {
    let request_id = headers.get(&super::REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
    let mut note = super::AccessNote { operation: Some("monthly".into()), ..Default::default() };
    let peer = peer.map(|axum::extract::Extension(p)| p);
    let rendered = render(&state, query.as_deref(), &headers, peer, request_id.clone(), &mut note).await;
    let mut resp = match rendered {
        Ok(html) => {
            let mut resp = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
            let h = resp.headers_mut();
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
            // Nothing on the page loads from anywhere, the server included.
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"),
            );
            resp
        }
        Err(err) => super::export::refusal(&err, &request_id),
    };
    resp.extensions_mut().insert(note);
    resp
}

async fn render(
    state: &AppState,
    query: Option<&str>,
    headers: &HeaderMap,
    peer: Option<super::Peer>,
    request_id: String,
    note: &mut super::AccessNote,
) -> AppResult<String> {
    let params: Vec<(String, String)> = match query {
        Some(q) => serde_urlencoded::from_str(q).map_err(|_| AppError::bad_input("query", "the query string is not readable"))?,
        None => Vec::new(),
    };
    let (mut month, mut community) = (None, None);
    for (name, value) in &params {
        match name.as_str() {
            "month" => month = Some(period::parse_month("month", value)?),
            "community" | "communityId" => {
                community = Some(crate::graphql::ids::expect_id(&async_graphql::ID(value.clone()), "Community", name)?)
            }
            other => return Err(AppError::bad_input(other, "the monthly report takes `month` (YYYY-MM) and `community`")),
        }
    }
    let month = month.ok_or_else(|| AppError::bad_input("month", "name the month, e.g. month=2026-11"))?;
    let scope = super::principal::scope_for(state, headers).await?;
    note.principal = Some(scope.principal().kind());
    scope.require_authenticated()?;
    state.rate.admit_scope(&scope, peer)?;
    if community.is_some_and(|c| !scope.sees_community(c)) {
        return Err(AppError::not_found("community"));
    }
    let cx = Cx::new(
        scope.clone(),
        crate::db::Db::for_request(state.db.clone(), state.limits.work, scope.row_scope()),
        request_id,
        state.changes.clone(),
    );
    let place = place_name(&cx, community).await?;
    let label = month.format("%Y年%m月").to_string();
    let mut page =
        Page::new(&format!("{place} {label} 共治月报"), &format!("统计口径：北京时间 {label} 1 日至月末；趋势为截至本月的 12 个月。"));
    let months = months_ending(month, 12);
    let trend = Period { from: months.first().copied(), to: Period::month(month).to };
    for s in SECTIONS {
        let dataset = find(state, s.dataset)?;
        let about = dataset.about();
        let this = figures_of(&cx, &dataset, if s.ranged { Period::month(month) } else { Period::default() }, community, s.take).await?;
        page.section(s.title);
        let shown: Vec<(&str, String)> = if s.figures.is_empty() {
            // Every numeric column, labelled by its documentation.
            about.columns.iter().filter(|c| this.contains_key(c.name)).map(|c| (c.name, c.doc.trim_end_matches('.').to_owned())).collect()
        } else {
            s.figures.iter().map(|(c, l)| (*c, (*l).to_owned())).collect()
        };
        let rows: Vec<(String, Option<f64>, String)> =
            shown.iter().map(|(c, l)| (l.clone(), this.get(*c).copied().flatten(), format!("{}.{c}", s.dataset))).collect();
        page.figures(&rows);
        if !s.trends.is_empty() {
            let by_month = by_month(&cx, &dataset, trend, community).await?;
            let labels: Vec<String> = months.iter().map(|m| m.format("%Y-%m").to_string()).collect();
            for (column, caption) in s.trends {
                let values: Vec<f64> =
                    labels.iter().map(|m| by_month.get(m).and_then(|r| r.get(*column).copied().flatten()).unwrap_or(0.0)).collect();
                page.bar_chart(caption, &format!("{}.{column}", s.dataset), &labels, &values);
            }
        }
        page.end_section();
    }
    campaigns(&mut page, state, &cx, community).await?;
    overdue_by_unit(&mut page, &cx, community).await?;
    note.statements = cx.db.statements();
    Ok(page.finish())
}

/// The campaigns' progress: each collaboration campaign's tasks (all time), and the practice
/// campaigns' pledges.
async fn campaigns(page: &mut Page, state: &AppState, cx: &Cx, community: Option<Uuid>) -> AppResult<()> {
    page.section("活动进展");
    let tasks = find(state, "tasks")?;
    let about = tasks.about();
    let at = |name: &str| about.columns.iter().position(|c| c.name == name);
    let (campaign_at, status_at, overdue_at) = (at("campaign_id"), at("status"), at("overdue"));
    // (tasks, verified, open and overdue) per campaign, read in one pass over the stream.
    let mut counts: HashMap<String, [u64; 3]> = HashMap::new();
    let mut rows = tasks.rows(cx.clone(), Filters { community, ..Filters::default() }).await?;
    while let Some(row) = rows.try_next().await? {
        let Some(Cell::Text(campaign)) = campaign_at.and_then(|i| row.get(i)) else { continue };
        let c = counts.entry(campaign.clone()).or_default();
        c[0] += 1;
        if matches!(status_at.and_then(|i| row.get(i)), Some(Cell::Text(s)) if s == "VERIFIED") {
            c[1] += 1;
        }
        if matches!(overdue_at.and_then(|i| row.get(i)), Some(Cell::Bool(true))) {
            c[2] += 1;
        }
    }
    let mut table = Vec::new();
    for campaign in crate::collaboration::service::campaigns(cx).await? {
        let id = crate::graphql::ids::global_id("Campaign", campaign.id).0;
        let [all, verified, overdue] = counts.get(&id).copied().unwrap_or_default();
        table.push(vec![(campaign.name, false), (all.to_string(), true), (verified.to_string(), true), (overdue.to_string(), true)]);
    }
    if table.is_empty() {
        page.note("本范围内没有协作专项行动。");
    } else {
        page.table(&["专项行动", "任务", "核验通过", "当前超期"], &table);
    }
    let pledges = crate::deliberation::service::campaign_counts(cx, community.map(crate::organisation::ids::CommunityId)).await?;
    let mut by_campaign: std::collections::BTreeMap<&'static str, [u64; 3]> = std::collections::BTreeMap::new();
    for ((campaign, _), c) in &pledges {
        let name = match campaign {
            entity::pledge::PracticeCampaign::ForResidents => "我为群众办实事",
            entity::pledge::PracticeCampaign::ForEnterprises => "我为企业解难题",
            entity::pledge::PracticeCampaign::ForSociety => "我为社会做好事",
        };
        let slot = by_campaign.entry(name).or_default();
        slot[0] += c.pledged;
        slot[1] += c.fulfilled;
        slot[2] += c.overdue;
    }
    let table: Vec<Vec<(String, bool)>> = by_campaign
        .into_iter()
        .map(|(name, [pledged, fulfilled, overdue])| {
            vec![(name.to_owned(), false), (pledged.to_string(), true), (fulfilled.to_string(), true), (overdue.to_string(), true)]
        })
        .collect();
    if !table.is_empty() {
        page.table(&["实践活动", "承诺", "已兑现", "逾期未兑现"], &table);
    }
    page.end_section();
    Ok(())
}

/// The units with open shares of overdue tasks, most first.
async fn overdue_by_unit(page: &mut Page, cx: &Cx, community: Option<Uuid>) -> AppResult<()> {
    page.section("超期任务（按共建单位）");
    let units = crate::collaboration::service::overdue_by_unit(cx, community.map(crate::organisation::ids::CommunityId)).await?;
    if units.is_empty() {
        page.note("当前没有超期任务。");
    } else {
        let rows: Vec<Vec<(String, bool)>> = units.into_iter().map(|u| vec![(u.unit_name, false), (u.tasks.to_string(), true)]).collect();
        page.table(&["共建单位", "超期任务"], &rows);
    }
    page.end_section();
    Ok(())
}

fn find(state: &AppState, name: &str) -> AppResult<std::sync::Arc<dyn Dataset>> {
    state
        .catalogue
        .iter()
        .find(|d| d.about().name == name)
        .cloned()
        .ok_or_else(|| AppError::internal(format!("the report needs dataset {name}")))
}

/// The street's name, or the community's.
async fn place_name(cx: &Cx, community: Option<Uuid>) -> AppResult<String> {
    if let Some(c) = community {
        let found = entity::community::Entity::find_by_id(c).one(&cx.db).await?.ok_or_else(|| AppError::not_found("community"))?;
        return Ok(found.name);
    }
    let mut names = Vec::new();
    for street in cx.scope.streets() {
        if let Some(r) = entity::region::Entity::find_by_id(street).one(&cx.db).await? {
            names.push(r.name);
        }
    }
    Ok(if names.is_empty() { "共治".to_owned() } else { names.join("、") })
}

/// A row's numeric cells by column name.
type Figures = HashMap<&'static str, Option<f64>>;

fn numeric(cell: &Cell) -> Option<Option<f64>> {
    match cell {
        Cell::Int(n) => Some(Some(*n as f64)),
        Cell::Num(n) => Some(Some(*n)),
        Cell::Null => Some(None),
        _ => None,
    }
}

async fn rows_of(cx: &Cx, dataset: &std::sync::Arc<dyn Dataset>, filters: Filters) -> AppResult<Vec<Vec<Cell>>> {
    dataset.rows(cx.clone(), filters).await?.try_collect().await
}

fn filters(dataset: &std::sync::Arc<dyn Dataset>, period: Period, community: Option<Uuid>, by: Option<&'static str>) -> Filters {
    let about = dataset.about();
    let takes = |f| about.filters.contains(&f);
    Filters {
        period: if takes(crate::reporting::Filter::Period) { period } else { Period::default() },
        community: community.filter(|_| takes(crate::reporting::Filter::Community)),
        by: by.filter(|b| about.groupings.contains(b)).or(about.groupings.first().copied()),
        ..Filters::default()
    }
}

/// The figures of one range: the total row, or the parts added up.
async fn figures_of(
    cx: &Cx,
    dataset: &std::sync::Arc<dyn Dataset>,
    period: Period,
    community: Option<Uuid>,
    take: Take,
) -> AppResult<Figures> {
    let about = dataset.about();
    let rows = rows_of(cx, dataset, filters(dataset, period, community, Some("TOTAL"))).await?;
    let mut out = Figures::new();
    for row in rows.iter().take(if take == Take::Total { 1 } else { usize::MAX }) {
        for (c, cell) in about.columns.iter().zip(row) {
            if let Some(v) = numeric(cell) {
                let slot = out.entry(c.name).or_insert(None);
                *slot = match (*slot, v) {
                    (Some(a), Some(b)) => Some(a + b),
                    (a, b) => a.or(b),
                };
            }
        }
    }
    Ok(out)
}

/// The figures of each month of a range, by `YYYY-MM`.
async fn by_month(
    cx: &Cx,
    dataset: &std::sync::Arc<dyn Dataset>,
    period: Period,
    community: Option<Uuid>,
) -> AppResult<HashMap<String, Figures>> {
    let about = dataset.about();
    let month_at = about.columns.iter().position(|c| c.name == "month");
    let mut out = HashMap::new();
    for row in rows_of(cx, dataset, filters(dataset, period, community, Some("MONTH"))).await? {
        let Some(Cell::Text(m)) = month_at.and_then(|i| row.get(i)) else { continue };
        let figures: Figures = about.columns.iter().zip(&row).filter_map(|(c, cell)| Some((c.name, numeric(cell)?))).collect();
        out.insert(m.clone(), figures);
    }
    Ok(out)
}
