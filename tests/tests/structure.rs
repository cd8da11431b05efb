//! No import cycles in `server/src` or `src/`: a ratchet that fails on a new or grown cycle.
//!
//! To see the cycles: `cargo test -p lectern-tests --test structure -- --nocapture`.

use std::path::Path;

use lectern_tests::imports;

/// The cycles there were when this check came in, while others removed them. A cycle that shrinks or
/// splits passes; then shrink this list to what the test prints, and empty it when they are gone.
const SERVER_BASELINE: &[&[&str]] = &[&[
    "ai::categorize",
    "ai::service",
    "ai::split",
    "http",
    "http::ais",
    "http::annotations",
    "http::auth",
    "http::categories",
    "http::documents",
    "http::files",
    "http::label_sets",
    "http::labels",
    "http::missing_annotations",
    "http::pages",
    "http::postprocess",
    "http::projects",
    "http::public",
    "pipeline",
    "pipeline::jobs",
    "pipeline::process",
    "pipeline::webhook",
    "review",
]];

const SPA_BASELINE: &[&[&str]] = &[];

fn check(folder: &str, baseline: &[&[&str]]) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(folder);
    let cycles = imports::cycles(&imports::graph(&src).unwrap());
    println!("{folder}: {} import cycles", cycles.len());
    for cycle in &cycles {
        println!("    &[{}],", cycle.iter().map(|m| format!("{m:?}")).collect::<Vec<_>>().join(", "));
    }
    let regressions = imports::regressions(&cycles, baseline);
    assert!(regressions.is_empty(), "{folder}:\n{}", regressions.join("\n"));
    let now: Vec<Vec<&str>> = cycles.iter().map(|c| c.iter().map(String::as_str).collect()).collect();
    if now != baseline {
        println!("{folder}: the cycles shrank; shrink the baseline in tests/tests/structure.rs to the list above");
    }
}

#[test]
fn no_new_import_cycles_in_the_server() {
    check("server/src", SERVER_BASELINE);
}

#[test]
fn no_new_import_cycles_in_the_spa() {
    check("src", SPA_BASELINE);
}
