//! An appeal (诉求): a matter a resident raised for their compound, or staff for an enterprise or
//! an organisation, in its workflow from RAISED to DONE (or MERGED, REJECTED, WITHDRAWN), handled
//! at a tier (COMPOUND → COMMUNITY → STREET). Tenant data.
use sea_orm::entity::prelude::*;

/// What the appeal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum AppealCategory {
    /// Property management (物业).
    #[sea_orm(string_value = "PROPERTY")]
    Property,
    /// Environment and sanitation (环境卫生).
    #[sea_orm(string_value = "ENVIRONMENT")]
    Environment,
    /// Traffic and parking (交通停车).
    #[sea_orm(string_value = "TRAFFIC_PARKING")]
    TrafficParking,
    /// Safety (安全).
    #[sea_orm(string_value = "SAFETY")]
    Safety,
    /// Public facilities (公共设施).
    #[sea_orm(string_value = "FACILITIES")]
    Facilities,
    /// Neighbours (邻里).
    #[sea_orm(string_value = "NEIGHBOURS")]
    Neighbours,
    /// An enterprise's business matter (企业经营).
    #[sea_orm(string_value = "BUSINESS")]
    Business,
    /// Anything else.
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// Who raised the appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum RaiserKind {
    /// A resident, for their compound (`raiser_person_id`).
    #[sea_orm(string_value = "RESIDENT")]
    Resident,
    /// An enterprise of the community (`enterprise_id`), through staff.
    #[sea_orm(string_value = "ENTERPRISE")]
    Enterprise,
    /// A party organisation of the community (`organization_id`), through staff.
    #[sea_orm(string_value = "PARTY_ORGANIZATION")]
    PartyOrganization,
    /// A co-building unit seated on the community's joint committee (`unit_id`), through staff.
    #[sea_orm(string_value = "UNIT")]
    Unit,
}

/// The tier that handles the appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum AppealTier {
    /// The compound's deliberation station (小区议事站) and its convenor.
    #[sea_orm(string_value = "COMPOUND")]
    Compound,
    /// The community (社区): its staff and deliberation centre.
    #[sea_orm(string_value = "COMMUNITY")]
    Community,
    /// The street (街道).
    #[sea_orm(string_value = "STREET")]
    Street,
}

/// Where the appeal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum AppealState {
    #[sea_orm(string_value = "RAISED")]
    Raised,
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
    #[sea_orm(string_value = "SCHEDULED")]
    Scheduled,
    #[sea_orm(string_value = "ANSWERED")]
    Answered,
    #[sea_orm(string_value = "IN_PROGRESS")]
    InProgress,
    #[sea_orm(string_value = "DONE")]
    Done,
    #[sea_orm(string_value = "MERGED")]
    Merged,
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
    #[sea_orm(string_value = "WITHDRAWN")]
    Withdrawn,
}

/// The raiser's rating of the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum OutcomeRating {
    #[sea_orm(string_value = "SATISFIED")]
    Satisfied,
    #[sea_orm(string_value = "PARTLY")]
    Partly,
    #[sea_orm(string_value = "NOT")]
    Not,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appeal")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub compound_id: Option<Uuid>,
    pub building_id: Option<Uuid>,
    /// A place described in words, when not (only) a compound or building.
    pub site: Option<String>,
    pub raiser_kind: RaiserKind,
    pub raiser_person_id: Option<Uuid>,
    pub enterprise_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    /// Who entered it (the principal's label).
    pub raised_by: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub category: AppealCategory,
    /// http(s) URLs, as a JSON list.
    #[sea_orm(column_type = "Text")]
    pub photos: String,
    pub tier: AppealTier,
    pub state: AppealState,
    #[sea_orm(column_type = "Text", nullable)]
    pub answer: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub reject_reason: Option<String>,
    pub merged_into_id: Option<Uuid>,
    pub scheduled_venue_id: Option<Uuid>,
    pub scheduled_on: Option<Date>,
    /// The current deadline: the first response while RAISED, the answer while ACCEPTED or
    /// SCHEDULED; none otherwise.
    pub due_at: Option<DateTimeUtc>,
    /// How many times a missed deadline moved it up a tier.
    pub escalations: i32,
    pub escalated_at: Option<DateTimeUtc>,
    pub review_requested_at: Option<DateTimeUtc>,
    pub rating: Option<OutcomeRating>,
    #[sea_orm(column_type = "Text", nullable)]
    pub rating_comment: Option<String>,
    pub rated_at: Option<DateTimeUtc>,
    /// How many residents support it (附议).
    pub supporters: i32,
    pub raised_at: DateTimeUtc,
    /// The first response (acceptance or rejection).
    pub responded_at: Option<DateTimeUtc>,
    pub answered_at: Option<DateTimeUtc>,
    /// When it was done, merged, rejected or withdrawn.
    pub closed_at: Option<DateTimeUtc>,
    pub version: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
