//! The appeal workflow (诉求办理) as one table, free of I/O so that it can be read and tested as
//! it stands: who may do what to an appeal in which state.
//!
//! ```text
//!  RAISED --accept--> ACCEPTED --schedule--> SCHEDULED --answer--> ANSWERED --start--> IN_PROGRESS --finish--> DONE --rate (once)
//!     |                  |  '---------------answer--------------------^  |
//!     |                  |                                               '--review (once): one tier up, back to ACCEPTED
//!  RAISED | ACCEPTED | SCHEDULED --reject--> REJECTED --review (once): one tier up, back to RAISED
//!  RAISED | ACCEPTED | SCHEDULED --merge--> MERGED (into another appeal of the community)
//!  RAISED | ACCEPTED | SCHEDULED --withdraw--> WITHDRAWN
//!  RAISED … IN_PROGRESS --support--> (unchanged; one support per resident)
//! ```
//!
//! A review sends the appeal one tier up (COMPOUND → COMMUNITY → STREET) and back to where the
//! disputed decision was taken: a reviewed answer back to ACCEPTED (the higher tier answers
//! anew), a reviewed rejection back to RAISED (the higher tier decides anew whether to accept).
//! The SCHEDULED state is set by `scheduleAppeal` (a venue and a day) for now; a meeting's agenda
//! item will set it when meetings come.
//!
//! Handlers act at their tier only ([`handles`]): a compound's convenor at the COMPOUND tier,
//! community staff at the COMPOUND and COMMUNITY tiers, street staff at the STREET tier.

use entity::appeal::{AppealState, AppealTier};

/// The role a caller plays towards one appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The resident who raised it (for an appeal raised through staff, for an enterprise or an
    /// organisation, the community's staff act for the raiser).
    Raiser,
    /// Another resident of the appeal's community.
    Resident,
    /// The convenor of the deliberation station of the appeal's compound.
    Convenor,
    /// Staff (workers and administrators) of the appeal's community.
    CommunityStaff,
    /// Street staff.
    StreetStaff,
    /// A co-building unit.
    Unit,
    /// A reporting tool.
    Reporter,
}

impl Role {
    /// Every role, for tables and tests.
    pub const ALL: [Role; 7] =
        [Role::Raiser, Role::Resident, Role::Convenor, Role::CommunityStaff, Role::StreetStaff, Role::Unit, Role::Reporter];

    /// The role in refusals ("… cannot be accepted by a resident").
    pub fn describe(self) -> &'static str {
        match self {
            Role::Raiser => "its raiser",
            Role::Resident => "a resident",
            Role::Convenor => "a compound convenor",
            Role::CommunityStaff => "community staff",
            Role::StreetStaff => "street staff",
            Role::Unit => "a co-building unit",
            Role::Reporter => "a reporting tool",
        }
    }
}

/// What is done to an appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Accept,
    Schedule,
    Answer,
    Start,
    Finish,
    Reject,
    Merge,
    Review,
    Rate,
    Withdraw,
    Support,
}

impl Action {
    /// Every action, for tables and tests.
    pub const ALL: [Action; 11] = [
        Action::Accept,
        Action::Schedule,
        Action::Answer,
        Action::Start,
        Action::Finish,
        Action::Reject,
        Action::Merge,
        Action::Review,
        Action::Rate,
        Action::Withdraw,
        Action::Support,
    ];

    /// The mutation's name, for audit records.
    pub fn mutation(self) -> &'static str {
        match self {
            Action::Accept => "acceptAppeal",
            Action::Schedule => "scheduleAppeal",
            Action::Answer => "answerAppeal",
            Action::Start => "startAppeal",
            Action::Finish => "finishAppeal",
            Action::Reject => "rejectAppeal",
            Action::Merge => "mergeAppeal",
            Action::Review => "requestAppealReview",
            Action::Rate => "rateAppeal",
            Action::Withdraw => "withdrawAppeal",
            Action::Support => "supportAppeal",
        }
    }

    /// The action as refusals say it ("… cannot be accepted").
    pub fn past(self) -> &'static str {
        match self {
            Action::Accept => "accepted",
            Action::Schedule => "scheduled",
            Action::Answer => "answered",
            Action::Start => "started",
            Action::Finish => "finished",
            Action::Reject => "rejected",
            Action::Merge => "merged",
            Action::Review => "sent for review",
            Action::Rate => "rated",
            Action::Withdraw => "withdrawn",
            Action::Support => "supported",
        }
    }
}

/// What the table says of a state, an action and a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Allowed; the appeal moves to this state.
    Allowed(AppealState),
    /// Allowed to a handler at its tier ([`handles`]); the appeal moves to this state.
    Handler(AppealState),
    /// Nobody does this to an appeal in this state.
    WrongState,
    /// The state allows it, but not to this role.
    NotYours,
}

// The groups of the table, spelled out so that a new state or role does not compile until the
// table places it.
macro_rules! handler {
    () => {
        Role::Convenor | Role::CommunityStaff | Role::StreetStaff
    };
}
macro_rules! anyone {
    () => {
        Role::Raiser | Role::Resident | Role::Convenor | Role::CommunityStaff | Role::StreetStaff | Role::Unit | Role::Reporter
    };
}
macro_rules! not_handler {
    () => {
        Role::Raiser | Role::Resident | Role::Unit | Role::Reporter
    };
}
macro_rules! not_raiser {
    () => {
        Role::Resident | Role::Convenor | Role::CommunityStaff | Role::StreetStaff | Role::Unit | Role::Reporter
    };
}
macro_rules! not_resident {
    () => {
        Role::Raiser | Role::Convenor | Role::CommunityStaff | Role::StreetStaff | Role::Unit | Role::Reporter
    };
}
macro_rules! undecided {
    () => {
        S::Raised | S::Accepted | S::Scheduled
    };
}
macro_rules! open {
    () => {
        S::Raised | S::Accepted | S::Scheduled | S::Answered | S::InProgress
    };
}
macro_rules! closed {
    () => {
        S::Done | S::Merged | S::Rejected | S::Withdrawn
    };
}

/// The table: state × action × role. No default arm.
pub fn rule(state: AppealState, action: Action, role: Role) -> Rule {
    use AppealState as S;
    use Rule::{Allowed, Handler, NotYours, WrongState};
    match (action, state, role) {
        // The first response: accept (or reject, below).
        (Action::Accept, S::Raised, handler!()) => Handler(S::Accepted),
        (Action::Accept, S::Raised, not_handler!()) => NotYours,
        (Action::Accept, S::Accepted | S::Scheduled | S::Answered | S::InProgress | closed!(), anyone!()) => WrongState,
        // On the agenda of a venue, on a day (a meeting's agenda item, later).
        (Action::Schedule, S::Accepted, handler!()) => Handler(S::Scheduled),
        (Action::Schedule, S::Accepted, not_handler!()) => NotYours,
        (Action::Schedule, S::Raised | S::Scheduled | S::Answered | S::InProgress | closed!(), anyone!()) => WrongState,
        // The answer: directly, or after the deliberation.
        (Action::Answer, S::Accepted | S::Scheduled, handler!()) => Handler(S::Answered),
        (Action::Answer, S::Accepted | S::Scheduled, not_handler!()) => NotYours,
        (Action::Answer, S::Raised | S::Answered | S::InProgress | closed!(), anyone!()) => WrongState,
        // Carrying it out.
        (Action::Start, S::Answered, handler!()) => Handler(S::InProgress),
        (Action::Start, S::Answered, not_handler!()) => NotYours,
        (Action::Start, undecided!() | S::InProgress | closed!(), anyone!()) => WrongState,
        (Action::Finish, S::InProgress, handler!()) => Handler(S::Done),
        (Action::Finish, S::InProgress, not_handler!()) => NotYours,
        (Action::Finish, undecided!() | S::Answered | closed!(), anyone!()) => WrongState,
        // Refusing it with a reason, or folding it into another appeal, before the answer.
        (Action::Reject, undecided!(), handler!()) => Handler(S::Rejected),
        (Action::Reject, undecided!(), not_handler!()) => NotYours,
        (Action::Reject, S::Answered | S::InProgress | closed!(), anyone!()) => WrongState,
        (Action::Merge, undecided!(), handler!()) => Handler(S::Merged),
        (Action::Merge, undecided!(), not_handler!()) => NotYours,
        (Action::Merge, S::Answered | S::InProgress | closed!(), anyone!()) => WrongState,
        // The raiser disputes an answer or a rejection, once: one tier up.
        (Action::Review, S::Answered, Role::Raiser) => Allowed(S::Accepted),
        (Action::Review, S::Rejected, Role::Raiser) => Allowed(S::Raised),
        (Action::Review, S::Answered | S::Rejected, not_raiser!()) => NotYours,
        (Action::Review, undecided!() | S::InProgress | S::Done | S::Merged | S::Withdrawn, anyone!()) => WrongState,
        // The raiser rates the outcome, once.
        (Action::Rate, S::Done, Role::Raiser) => Allowed(S::Done),
        (Action::Rate, S::Done, not_raiser!()) => NotYours,
        (Action::Rate, open!() | S::Merged | S::Rejected | S::Withdrawn, anyone!()) => WrongState,
        // The raiser takes it back before the answer.
        (Action::Withdraw, undecided!(), Role::Raiser) => Allowed(S::Withdrawn),
        (Action::Withdraw, undecided!(), not_raiser!()) => NotYours,
        (Action::Withdraw, S::Answered | S::InProgress | closed!(), anyone!()) => WrongState,
        // Other residents of the community support it while it is open (附议).
        (Action::Support, S::Raised, Role::Resident) => Allowed(S::Raised),
        (Action::Support, S::Accepted, Role::Resident) => Allowed(S::Accepted),
        (Action::Support, S::Scheduled, Role::Resident) => Allowed(S::Scheduled),
        (Action::Support, S::Answered, Role::Resident) => Allowed(S::Answered),
        (Action::Support, S::InProgress, Role::Resident) => Allowed(S::InProgress),
        (Action::Support, open!(), not_resident!()) => NotYours,
        (Action::Support, closed!(), anyone!()) => WrongState,
    }
}

/// Whether a handling role acts at the appeal's tier: a compound's convenor at the COMPOUND tier,
/// community staff at the COMPOUND and COMMUNITY tiers, street staff at the STREET tier.
pub fn handles(role: Role, tier: AppealTier) -> bool {
    match role {
        Role::Convenor => tier == AppealTier::Compound,
        Role::CommunityStaff => matches!(tier, AppealTier::Compound | AppealTier::Community),
        Role::StreetStaff => tier == AppealTier::Street,
        Role::Raiser | Role::Resident | Role::Unit | Role::Reporter => false,
    }
}

/// Who handles an appeal at a tier, for refusals.
pub fn handlers_of(tier: AppealTier) -> &'static str {
    match tier {
        AppealTier::Compound => "the compound's convenor or community staff",
        AppealTier::Community => "community staff",
        AppealTier::Street => "street staff",
    }
}

/// The tier above, if any.
pub fn tier_above(tier: AppealTier) -> Option<AppealTier> {
    match tier {
        AppealTier::Compound => Some(AppealTier::Community),
        AppealTier::Community => Some(AppealTier::Street),
        AppealTier::Street => None,
    }
}

/// Why an action is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The state does not allow it (`CONFLICT`).
    State(String),
    /// The caller's roles do not (`FORBIDDEN`).
    Forbidden(String),
}

/// The state name as the API spells it.
pub fn state_name(state: AppealState) -> &'static str {
    match state {
        AppealState::Raised => "RAISED",
        AppealState::Accepted => "ACCEPTED",
        AppealState::Scheduled => "SCHEDULED",
        AppealState::Answered => "ANSWERED",
        AppealState::InProgress => "IN_PROGRESS",
        AppealState::Done => "DONE",
        AppealState::Merged => "MERGED",
        AppealState::Rejected => "REJECTED",
        AppealState::Withdrawn => "WITHDRAWN",
    }
}

/// The tier name as the API spells it.
pub fn tier_name(tier: AppealTier) -> &'static str {
    match tier {
        AppealTier::Compound => "COMPOUND",
        AppealTier::Community => "COMMUNITY",
        AppealTier::Street => "STREET",
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['A', 'E', 'I', 'O', 'U']) { "an" } else { "a" }
}

/// Decides an action by a caller playing `roles` (any one allowing suffices): the next state, or
/// the refusal naming the state and the action.
pub fn decide(state: AppealState, tier: AppealTier, action: Action, roles: &[Role]) -> Result<AppealState, Refusal> {
    let name = state_name(state);
    let mut refusal = None;
    for &role in roles {
        match rule(state, action, role) {
            Rule::Allowed(next) => return Ok(next),
            Rule::Handler(next) if handles(role, tier) => return Ok(next),
            Rule::Handler(_) => {
                refusal = Some(Refusal::Forbidden(format!(
                    "{} {name} appeal at the {} tier cannot be {} by {}: it is handled by {}",
                    article(name),
                    tier_name(tier),
                    action.past(),
                    role.describe(),
                    handlers_of(tier)
                )))
            }
            Rule::WrongState => return Err(Refusal::State(format!("{} {name} appeal cannot be {}", article(name), action.past()))),
            Rule::NotYours => {
                refusal = refusal.or_else(|| {
                    Some(Refusal::Forbidden(format!("{} {name} appeal cannot be {} by {}", article(name), action.past(), role.describe())))
                })
            }
        }
    }
    Err(refusal.unwrap_or_else(|| Refusal::Forbidden(format!("{} {name} appeal cannot be {} by the caller", article(name), action.past()))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::Iterable;

    #[test]
    fn the_table_answers_every_state_action_and_role() {
        let mut allowed = 0;
        for state in AppealState::iter() {
            for action in Action::ALL {
                for role in Role::ALL {
                    match rule(state, action, role) {
                        Rule::Allowed(_) | Rule::Handler(_) => allowed += 1,
                        Rule::WrongState | Rule::NotYours => {}
                    }
                    // Units and reporters never act on an appeal.
                    if matches!(role, Role::Unit | Role::Reporter) {
                        assert!(matches!(rule(state, action, role), Rule::WrongState | Rule::NotYours), "{state:?} {action:?} {role:?}");
                    }
                }
            }
        }
        // 7 handler actions' allowed states × 3 handlers, plus review ×2, rate, withdraw ×3, support ×5.
        assert_eq!(allowed, (1 + 1 + 2 + 1 + 1 + 3 + 3) * 3 + 2 + 1 + 3 + 5);
    }

    #[test]
    fn refusals_name_the_state_and_the_action() {
        use AppealState as S;
        let r = decide(S::Answered, AppealTier::Compound, Action::Accept, &[Role::CommunityStaff]);
        assert_eq!(r, Err(Refusal::State("an ANSWERED appeal cannot be accepted".into())));
        let r = decide(S::Raised, AppealTier::Compound, Action::Accept, &[Role::Resident]);
        assert_eq!(r, Err(Refusal::Forbidden("a RAISED appeal cannot be accepted by a resident".into())));
        let r = decide(S::Raised, AppealTier::Community, Action::Accept, &[Role::Convenor]);
        assert!(matches!(r, Err(Refusal::Forbidden(m)) if m.starts_with("a RAISED appeal at the COMMUNITY tier cannot be accepted")));
        assert_eq!(decide(S::Raised, AppealTier::Street, Action::Accept, &[Role::StreetStaff]), Ok(S::Accepted));
        // Any one role allowing suffices: staff acting for an enterprise they raised for.
        assert_eq!(decide(S::Done, AppealTier::Community, Action::Rate, &[Role::CommunityStaff, Role::Raiser]), Ok(S::Done));
        assert!(decide(S::Done, AppealTier::Community, Action::Rate, &[]).is_err());
    }

    #[test]
    fn handlers_act_at_their_tiers_only() {
        use AppealTier as T;
        for tier in [T::Compound, T::Community, T::Street] {
            assert_eq!(handles(Role::Convenor, tier), tier == T::Compound);
            assert_eq!(handles(Role::CommunityStaff, tier), tier != T::Street);
            assert_eq!(handles(Role::StreetStaff, tier), tier == T::Street);
            for role in [Role::Raiser, Role::Resident, Role::Unit, Role::Reporter] {
                assert!(!handles(role, tier));
            }
        }
        assert_eq!(tier_above(T::Compound), Some(T::Community));
        assert_eq!(tier_above(T::Community), Some(T::Street));
        assert_eq!(tier_above(T::Street), None);
    }
}
