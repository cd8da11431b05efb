//! No import cycles in `server/src` or `src/`: a ratchet that fails on a new or grown cycle.
//!
//! To see the cycles: `cargo test -p lectern-tests --test structure -- --nocapture`.

use std::path::Path;

use lectern_tests::imports;

/// The cycles there were when this check came in, while others removed them. A cycle that shrinks or
/// splits passes; then shrink this list to what the test prints, and empty it when they are gone.
const SERVER_BASELINE: &[&[&str]] = &[];

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

/// The server's layers, top to bottom: a module of a layer may use its own layer and those below, never one
/// above (`server/src/lib.rs`). The crate root, `main`, `demo` and `sample_pdf` stand outside the layers.
const SERVER_LAYERS: &[&[&str]] =
    &[&["http"], &["pipeline", "ai"], &["domain"], &["db", "storage", "state", "error", "config"]];

fn layer_of(module: &str) -> Option<usize> {
    let top = module.split("::").next().unwrap_or(module);
    SERVER_LAYERS.iter().position(|layer| layer.contains(&top))
}

#[test]
fn server_layers_only_point_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/src");
    let graph = imports::graph(&src).unwrap();
    let mut upward = Vec::new();
    for (from, targets) in &graph {
        for to in targets {
            // `state` holds the login limiter of `domain::users` and the text index cache of `domain::documents::text_index`:
            // fields' types, not calls up.
            if from == "state" && (to == "domain::users" || to == "domain::documents::text_index") {
                continue;
            }
            if let (Some(a), Some(b)) = (layer_of(from), layer_of(to)) {
                if b < a {
                    upward.push(format!("{from} → {to}"));
                }
            }
        }
    }
    assert!(upward.is_empty(), "imports that point up a layer:\n{}", upward.join("\n"));
}
