//! Lectern's server as a library: the HTTP API over the domain, the processing pipeline and the AIs; used by
//! the binary and the benchmarks.
//!
//! Layers, each using only those below it: `http` → `pipeline`, `ai` → `domain` → `db`, `storage`, with
//! `state`, `error` and `config` shared by all.

pub mod ai;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod http;
pub mod pipeline;
pub mod sample_pdf;
pub mod state;
pub mod storage;
#[cfg(test)]
pub mod testing;
