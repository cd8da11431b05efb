//! The pages, one module per route.

pub mod documents;
pub mod login;
pub mod project_setup;
pub mod projects;
