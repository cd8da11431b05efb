//! Lectern's server as a library: the HTTP API, storage, the processing pipeline; used by the binary and benchmarks.

pub mod ai;
pub mod config;
pub mod db;
pub mod demo;
pub mod http;
pub mod pipeline;
pub mod review;
pub mod sample_pdf;
pub mod spans;
pub mod storage;
pub mod users;
