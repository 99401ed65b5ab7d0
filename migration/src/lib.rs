//! Append-only schema migrations, one change per file. They serve SQLite and PostgreSQL alike.
pub use sea_orm_migration::prelude::*;

mod m20261126_000001_create_regions;
mod m20261126_000002_create_communities;
mod m20261126_000003_create_co_building_units;
mod m20261126_000004_create_people;
mod m20261126_000005_create_compounds;
mod m20261126_000006_create_party_organizations;
mod m20261126_000007_create_party_members;
mod m20261126_000008_create_committee_memberships;
mod m20261126_000009_create_audit_log;
mod m20261126_000010_create_campaigns;
mod m20261126_000011_create_campaign_communities;
mod m20261126_000012_create_sites;
mod m20261126_000013_create_tasks;
mod m20261126_000014_create_assignments;
mod m20261126_000015_create_task_events;
mod m20261126_000016_create_inspections;
mod m20261126_000017_create_findings;
mod m20261126_000018_create_api_keys;
mod m20261126_000019_create_idempotency_keys;
mod m20261126_000020_create_service_categories;
mod m20261126_000021_seed_service_categories;
mod m20261126_000022_create_volunteers;
mod m20261126_000023_create_check_ins;
mod m20261126_000024_create_demands;
mod m20261126_000025_create_invitations;
mod m20261126_000026_create_activities;
mod m20261126_000027_create_sign_ups;
mod m20261126_000028_add_branch_secretaries;
mod m20261126_000029_bind_api_keys_to_streets;
mod m20261126_000030_count_wrong_attendance_codes;
mod m20261201_000001_add_client_request_ids;
mod m20261201_100001_count_wrong_codes_per_sign_up;
mod m20261201_100002_drop_activity_code_failures;
mod m20261201_100003_flag_shares_of_ended_seats;
mod m20261202_000001_create_buildings;
mod m20261202_000002_create_owners_committees;
mod m20261202_000003_create_owners_committee_members;
mod m20261202_000004_create_property_managers;
mod m20261202_000005_create_building_leaders;
mod m20261203_000001_add_activity_organisers;
mod m20261203_000002_create_selection_rounds;
mod m20261203_000003_create_round_reviewers;
mod m20261203_000004_create_innovation_cases;
mod m20261203_000005_create_case_scores;
mod m20261204_000001_create_projects;
mod m20261204_000002_create_project_milestones;
mod m20261204_000003_create_project_tasks;
mod m20261204_000004_create_ledger_entries;
mod m20261205_000001_create_residences;
mod m20261205_000002_create_venues;
mod m20261205_000003_create_enterprises;
mod m20261205_000004_create_appeals;
mod m20261206_000001_create_arrears_cases;
mod m20261206_000002_create_arrears_contacts;
mod m20261207_000001_create_appeal_supports;
mod m20261207_000002_create_meetings;
mod m20261207_000003_create_meeting_participants;
mod m20261207_000004_create_agenda_items;
mod m20261207_000005_create_agenda_appeals;
mod m20261207_000006_create_action_items;
mod m20261207_000007_create_action_notes;
mod m20261207_000008_create_pledges;
mod m20261207_000009_create_appeal_events;
mod m20261208_300001_create_reporting_keys;
mod m20261209_000001_link_oidc_logins;
mod m20261209_000002_create_role_grants;
pub mod m20261210_000001_row_level_security;
mod m20261210_000002_reporting_views;
mod m20261211_000001_row_level_security_by_principal;
mod m20261212_000001_order_task_events_by_commit;
mod m20261212_000002_create_webhooks;

/// Every migration of gongzhi, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_create_regions::Migration),
            Box::new(m20261126_000002_create_communities::Migration),
            Box::new(m20261126_000003_create_co_building_units::Migration),
            Box::new(m20261126_000004_create_people::Migration),
            Box::new(m20261126_000005_create_compounds::Migration),
            Box::new(m20261126_000006_create_party_organizations::Migration),
            Box::new(m20261126_000007_create_party_members::Migration),
            Box::new(m20261126_000008_create_committee_memberships::Migration),
            Box::new(m20261126_000009_create_audit_log::Migration),
            Box::new(m20261126_000010_create_campaigns::Migration),
            Box::new(m20261126_000011_create_campaign_communities::Migration),
            Box::new(m20261126_000012_create_sites::Migration),
            Box::new(m20261126_000013_create_tasks::Migration),
            Box::new(m20261126_000014_create_assignments::Migration),
            Box::new(m20261126_000015_create_task_events::Migration),
            Box::new(m20261126_000016_create_inspections::Migration),
            Box::new(m20261126_000017_create_findings::Migration),
            Box::new(m20261126_000018_create_api_keys::Migration),
            Box::new(m20261126_000019_create_idempotency_keys::Migration),
            Box::new(m20261126_000020_create_service_categories::Migration),
            Box::new(m20261126_000021_seed_service_categories::Migration),
            Box::new(m20261126_000022_create_volunteers::Migration),
            Box::new(m20261126_000023_create_check_ins::Migration),
            Box::new(m20261126_000024_create_demands::Migration),
            Box::new(m20261126_000025_create_invitations::Migration),
            Box::new(m20261126_000026_create_activities::Migration),
            Box::new(m20261126_000027_create_sign_ups::Migration),
            Box::new(m20261126_000028_add_branch_secretaries::Migration),
            Box::new(m20261126_000029_bind_api_keys_to_streets::Migration),
            Box::new(m20261126_000030_count_wrong_attendance_codes::Migration),
            Box::new(m20261201_000001_add_client_request_ids::Migration),
            Box::new(m20261201_100001_count_wrong_codes_per_sign_up::Migration),
            Box::new(m20261201_100002_drop_activity_code_failures::Migration),
            Box::new(m20261201_100003_flag_shares_of_ended_seats::Migration),
            Box::new(m20261202_000001_create_buildings::Migration),
            Box::new(m20261202_000002_create_owners_committees::Migration),
            Box::new(m20261202_000003_create_owners_committee_members::Migration),
            Box::new(m20261202_000004_create_property_managers::Migration),
            Box::new(m20261202_000005_create_building_leaders::Migration),
            Box::new(m20261203_000001_add_activity_organisers::Migration),
            Box::new(m20261203_000002_create_selection_rounds::Migration),
            Box::new(m20261203_000003_create_round_reviewers::Migration),
            Box::new(m20261203_000004_create_innovation_cases::Migration),
            Box::new(m20261203_000005_create_case_scores::Migration),
            Box::new(m20261204_000001_create_projects::Migration),
            Box::new(m20261204_000002_create_project_milestones::Migration),
            Box::new(m20261204_000003_create_project_tasks::Migration),
            Box::new(m20261204_000004_create_ledger_entries::Migration),
            Box::new(m20261205_000001_create_residences::Migration),
            Box::new(m20261205_000002_create_venues::Migration),
            Box::new(m20261205_000003_create_enterprises::Migration),
            Box::new(m20261205_000004_create_appeals::Migration),
            Box::new(m20261206_000001_create_arrears_cases::Migration),
            Box::new(m20261206_000002_create_arrears_contacts::Migration),
            Box::new(m20261207_000001_create_appeal_supports::Migration),
            Box::new(m20261207_000002_create_meetings::Migration),
            Box::new(m20261207_000003_create_meeting_participants::Migration),
            Box::new(m20261207_000004_create_agenda_items::Migration),
            Box::new(m20261207_000005_create_agenda_appeals::Migration),
            Box::new(m20261207_000006_create_action_items::Migration),
            Box::new(m20261207_000007_create_action_notes::Migration),
            Box::new(m20261207_000008_create_pledges::Migration),
            Box::new(m20261207_000009_create_appeal_events::Migration),
            Box::new(m20261208_300001_create_reporting_keys::Migration),
            Box::new(m20261209_000001_link_oidc_logins::Migration),
            Box::new(m20261209_000002_create_role_grants::Migration),
            Box::new(m20261210_000001_row_level_security::Migration),
            Box::new(m20261210_000002_reporting_views::Migration),
            Box::new(m20261211_000001_row_level_security_by_principal::Migration),
            Box::new(m20261212_000001_order_task_events_by_commit::Migration),
            Box::new(m20261212_000002_create_webhooks::Migration),
        ]
    }
}
