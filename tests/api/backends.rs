//! One test per database: `both_backends!` turns each test written against a `backend` into two,
//! `<name>::sqlite` and `<name>::postgres`, so a failure on one engine never hides the other's
//! result and either engine's tests run on their own:
//!
//! ```text
//! cargo test --test api sqlite
//! TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo test --test api postgres
//! ```
//!
//! The PostgreSQL test passes with a note on stderr when `TEST_DATABASE_URL` is unset, so a plain
//! `cargo test` needs no database server.

/// Each `async fn name(backend: Backend) { … }` becomes `mod name` holding the body once and a
/// `#[tokio::test]` per engine that runs it.
macro_rules! both_backends {
    ($(#[$meta:meta])* async fn $name:ident($backend:ident: Backend) $body:block) => {
        $(#[$meta])*
        mod $name {
            // The test body sees what its file imports and defines.
            use super::*;

            async fn on_backend($backend: $crate::support::Backend) $body

            #[tokio::test]
            async fn sqlite() {
                on_backend($crate::support::Backend::Sqlite).await
            }

            #[tokio::test]
            async fn postgres() {
                match $crate::support::Backend::postgres() {
                    Some(backend) => on_backend(backend).await,
                    None => eprintln!("{}::postgres: TEST_DATABASE_URL is unset, nothing to run", module_path!()),
                }
            }
        }
    };
}
