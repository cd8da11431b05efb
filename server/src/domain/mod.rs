//! The domain: one module per aggregate holding all of its SQL and rules. HTTP handlers, the pipeline and the
//! AIs call it; it calls only `db`, `storage` and `lectern_api`.

pub mod ais;
pub mod annotations;
pub mod documents;
pub mod jobs;
pub mod list;
pub mod projects;
pub mod schema;
pub mod users;
pub mod validate;
