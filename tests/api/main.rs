//! Integration tests of gongzhi: one binary, the real router in-process, a database per test.
//! Every test runs on SQLite, and on PostgreSQL too when `TEST_DATABASE_URL` is set.

mod support;

mod audit;
mod bad_input;
mod http;
mod mutations;
mod schema;
mod seed;
mod sql_count;
mod tenancy;
