//! Escalation (三级联动) by staff; the periodic job is `service::escalation`.

use super::*;

/// Escalating a task.
#[derive(Default)]
pub struct EscalationMutation;

/// Escalating a task.
#[Object]
impl EscalationMutation {
    /// Raises an open task one level: community → street (community or street staff), street →
    /// city (street staff only: taking a task to the city is the street's decision).
    async fn escalate_task(&self, ctx: &Context<'_>, input: TaskTransitionInput) -> Result<TaskPayload> {
        staff(ctx, input, TaskAction::Escalate).await
    }
}
