//! The task workflow as an explicit state machine, free of I/O so that it can be read and tested
//! as a table.
//!
//! ```text
//!  REPORTED --assign--> ASSIGNED --(a unit starts)--> IN_PROGRESS --(lead and every accepted
//!      ^                                                              share done)--> RESOLVED
//!      '--(every share declined)                                   RESOLVED --verify--> VERIFIED
//!                                                                  RESOLVED --reopen--> REOPENED
//!  any open state --cancel--> CANCELLED                            REOPENED --(a unit starts)--> IN_PROGRESS
//! ```
//!
//! Staff (community staff and admins of the task's community, street admins of its street)
//! create, assign, verify, reopen, cancel, escalate and edit; an assigned unit accepts,
//! declines, starts and resolves its own share; anyone who may see the task may comment.

use entity::assignment::AssignmentStatus;
use entity::task::{TaskLevel, TaskStatus};

/// What staff do to a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskAction {
    Assign,
    Update,
    Verify,
    Reopen,
    Cancel,
    Escalate,
}

impl TaskAction {
    /// The mutation's name, for error messages.
    pub fn name(self) -> &'static str {
        match self {
            TaskAction::Assign => "assignTask",
            TaskAction::Update => "updateTask",
            TaskAction::Verify => "verifyTask",
            TaskAction::Reopen => "reopenTask",
            TaskAction::Cancel => "cancelTask",
            TaskAction::Escalate => "escalateTask",
        }
    }

    /// What the action does, for refusals ("only community staff may cancel tasks").
    pub fn refusal_name(self) -> &'static str {
        match self {
            TaskAction::Assign => "assign tasks",
            TaskAction::Update => "update tasks",
            TaskAction::Verify => "verify tasks",
            TaskAction::Reopen => "reopen tasks",
            TaskAction::Cancel => "cancel tasks",
            TaskAction::Escalate => "escalate tasks",
        }
    }
}

/// What a unit does to its share of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignmentAction {
    Accept,
    Decline,
    Start,
    Resolve,
}

impl AssignmentAction {
    pub fn name(self) -> &'static str {
        match self {
            AssignmentAction::Accept => "acceptAssignment",
            AssignmentAction::Decline => "declineAssignment",
            AssignmentAction::Start => "startAssignment",
            AssignmentAction::Resolve => "resolveAssignment",
        }
    }
}

/// Whether the task is closed (no more work).
pub fn is_closed(status: TaskStatus) -> bool {
    matches!(status, TaskStatus::Verified | TaskStatus::Cancelled)
}

/// Whether the task still needs work (it can become overdue and escalate).
pub fn is_open(status: TaskStatus) -> bool {
    matches!(status, TaskStatus::Reported | TaskStatus::Assigned | TaskStatus::InProgress | TaskStatus::Reopened)
}

/// The task status after a staff action, or `None` when the action is not allowed in `status`.
pub fn task_transition(status: TaskStatus, action: TaskAction) -> Option<TaskStatus> {
    use TaskStatus::*;
    match (action, status) {
        (TaskAction::Assign, Reported | Reopened) => Some(Assigned),
        (TaskAction::Assign, Assigned | InProgress) => Some(status),
        (TaskAction::Update, s) if !is_closed(s) => Some(s),
        (TaskAction::Verify, Resolved) => Some(Verified),
        (TaskAction::Reopen, Resolved) => Some(Reopened),
        (TaskAction::Cancel, s) if !is_closed(s) => Some(Cancelled),
        (TaskAction::Escalate, s) if is_open(s) => Some(s),
        _ => None,
    }
}

/// The next level up, if any.
pub fn next_level(level: TaskLevel) -> Option<TaskLevel> {
    match level {
        TaskLevel::Community => Some(TaskLevel::Street),
        TaskLevel::Street => Some(TaskLevel::City),
        TaskLevel::City => None,
    }
}

/// The share's status after a unit's action, or `None` when not allowed. Units act only on
/// tasks that are being worked: assigned, in progress, or reopened.
pub fn assignment_transition(task: TaskStatus, share: AssignmentStatus, action: AssignmentAction) -> Option<AssignmentStatus> {
    use AssignmentStatus::*;
    if !matches!(task, TaskStatus::Assigned | TaskStatus::InProgress | TaskStatus::Reopened) {
        return None;
    }
    match (action, share) {
        (AssignmentAction::Accept, Pending) => Some(Accepted),
        (AssignmentAction::Decline, Pending) => Some(Declined),
        (AssignmentAction::Start, Accepted) => Some(InProgress),
        (AssignmentAction::Resolve, InProgress) => Some(Done),
        _ => None,
    }
}

/// The task's status once its shares are as given (after a unit's action):
/// started work makes it IN_PROGRESS; a done lead share with every accepted share done makes
/// it RESOLVED; with every share declined it goes back to REPORTED for reassignment.
pub fn task_after_shares(task: TaskStatus, shares: &[(bool, AssignmentStatus)]) -> TaskStatus {
    use AssignmentStatus::*;
    if !matches!(task, TaskStatus::Assigned | TaskStatus::InProgress | TaskStatus::Reopened) {
        return task;
    }
    let live: Vec<&(bool, AssignmentStatus)> = shares.iter().filter(|(_, s)| *s != Declined).collect();
    if live.is_empty() {
        return TaskStatus::Reported;
    }
    let lead_done = live.iter().any(|(lead, s)| *lead && *s == Done);
    let accepted_done = live.iter().filter(|(_, s)| *s != Pending).all(|(_, s)| *s == Done);
    if lead_done && accepted_done {
        return TaskStatus::Resolved;
    }
    if live.iter().any(|(_, s)| matches!(s, InProgress | Done)) {
        return TaskStatus::InProgress;
    }
    task
}

/// The name the API uses for a status, for error messages.
pub fn status_name(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::Reported => "REPORTED",
        TaskStatus::Assigned => "ASSIGNED",
        TaskStatus::InProgress => "IN_PROGRESS",
        TaskStatus::Resolved => "RESOLVED",
        TaskStatus::Verified => "VERIFIED",
        TaskStatus::Reopened => "REOPENED",
        TaskStatus::Cancelled => "CANCELLED",
    }
}

/// The name the API uses for a share's status.
pub fn share_name(status: AssignmentStatus) -> &'static str {
    match status {
        AssignmentStatus::Pending => "PENDING",
        AssignmentStatus::Accepted => "ACCEPTED",
        AssignmentStatus::Declined => "DECLINED",
        AssignmentStatus::InProgress => "IN_PROGRESS",
        AssignmentStatus::Done => "DONE",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AssignmentStatus as A;
    use TaskStatus as T;

    #[test]
    fn staff_transitions() {
        assert_eq!(task_transition(T::Reported, TaskAction::Assign), Some(T::Assigned));
        assert_eq!(task_transition(T::Resolved, TaskAction::Verify), Some(T::Verified));
        assert_eq!(task_transition(T::Resolved, TaskAction::Reopen), Some(T::Reopened));
        assert_eq!(task_transition(T::InProgress, TaskAction::Verify), None);
        assert_eq!(task_transition(T::Verified, TaskAction::Cancel), None);
        assert_eq!(task_transition(T::Resolved, TaskAction::Escalate), None);
    }

    #[test]
    fn a_task_resolves_when_the_lead_and_every_accepted_share_are_done() {
        let t = task_after_shares(T::InProgress, &[(true, A::Done), (false, A::InProgress)]);
        assert_eq!(t, T::InProgress);
        let t = task_after_shares(T::InProgress, &[(true, A::Done), (false, A::Done), (false, A::Pending)]);
        assert_eq!(t, T::Resolved, "a share never accepted does not hold the task");
        let t = task_after_shares(T::InProgress, &[(true, A::Done), (false, A::Declined)]);
        assert_eq!(t, T::Resolved);
        assert_eq!(task_after_shares(T::Assigned, &[(true, A::Declined)]), T::Reported);
        assert_eq!(task_after_shares(T::Assigned, &[(true, A::InProgress)]), T::InProgress);
        assert_eq!(task_after_shares(T::Assigned, &[(true, A::Accepted)]), T::Assigned);
    }

    #[test]
    fn units_act_only_on_live_tasks() {
        assert_eq!(assignment_transition(T::Assigned, A::Pending, AssignmentAction::Accept), Some(A::Accepted));
        assert_eq!(assignment_transition(T::Verified, A::Pending, AssignmentAction::Accept), None);
        assert_eq!(assignment_transition(T::InProgress, A::Accepted, AssignmentAction::Resolve), None);
    }
}
