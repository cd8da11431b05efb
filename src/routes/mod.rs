//! The pages, one module per route.

pub mod ais;
pub mod document;
pub mod documents;
pub mod edit;
pub mod login;
pub mod project_setup;
pub mod projects;
pub mod public;
