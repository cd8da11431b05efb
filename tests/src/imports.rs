//! Import cycles in a crate's source: which module's code names which other module, and the cycles that makes.
//!
//! A module is a file (`a/b.rs` and `a/b/mod.rs` are `a::b`, `lib.rs` or else `main.rs` is `crate`). Its code
//! names a module with `crate::`, `super::` and `self::` paths, in `use` or anywhere else (macro bodies too),
//! and with paths that start at one of its child modules (`pub use child::X`); a path counts for the longest
//! prefix of it that is a module. `mod child;` is no edge, and items under `#[cfg(test)]` are left out:
//! tests may use anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// Each module (`crate`, `http`, `http::list`) with the other modules its code names.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

/// A module's path from the crate root; the root is empty.
type Module = Vec<String>;

/// The module graph of the crate whose source folder is `src`.
pub fn graph(src: &Path) -> Result<Graph, String> {
    let mut files = Vec::new();
    read_tree(src, &mut Vec::new(), &mut files)?;
    let modules: BTreeSet<Module> = files.iter().map(|(module, _)| module.clone()).collect();
    let mut graph = Graph::new();
    for (module, text) in &files {
        let tokens: TokenStream = text.parse().map_err(|e| format!("{}: {e:?}", name(module)))?;
        let mut paths = Vec::new();
        scan(tokens, module, &mut paths);
        let targets = graph.entry(name(module)).or_default();
        for (here, path) in paths {
            if let Some(target) = resolve(&here, &path, &modules).filter(|target| target != module) {
                targets.insert(name(&target));
            }
        }
    }
    Ok(graph)
}

/// The strongly connected components of more than one module (Tarjan), each sorted, in order.
pub fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    let mut tarjan =
        Tarjan { graph, index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), found: Vec::new() };
    for module in graph.keys() {
        if !tarjan.index.contains_key(module.as_str()) {
            tarjan.visit(module);
        }
    }
    tarjan.found.sort();
    tarjan.found
}

/// What makes `cycles` worse than `baseline`: a cycle with modules that are in no baseline cycle, or one that
/// joins modules of two baseline cycles. Cycles that shrank or split are fine.
pub fn regressions(cycles: &[Vec<String>], baseline: &[&[&str]]) -> Vec<String> {
    let mut found = Vec::new();
    for cycle in cycles {
        let Some(within) = baseline.iter().find(|b| cycle.iter().any(|m| b.contains(&m.as_str()))) else {
            found.push(format!("a new cycle: {}", cycle.join(" ")));
            continue;
        };
        let gained: Vec<&str> = cycle.iter().map(String::as_str).filter(|m| !within.contains(m)).collect();
        if !gained.is_empty() {
            found.push(format!("a cycle gained {}: {}", gained.join(" "), cycle.join(" ")));
        }
    }
    found
}

fn name(module: &[String]) -> String {
    if module.is_empty() {
        "crate".into()
    } else {
        module.join("::")
    }
}

/// Reads the `.rs` files under `dir`, whose module is `module`, into `files`.
fn read_tree(dir: &Path, module: &mut Module, files: &mut Vec<(Module, String)>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()).map(str::to_string) else { continue };
        if path.is_dir() {
            module.push(stem);
            read_tree(&path, module, files)?;
            module.pop();
        } else if path.extension().is_some_and(|e| e == "rs") {
            let is_root = module.is_empty() && (stem == "lib" || stem == "main");
            if is_root && stem == "main" && dir.join("lib.rs").exists() {
                continue; // another crate, which uses the library by its name
            }
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let mut of = module.clone();
            if stem != "mod" && !is_root {
                of.push(stem);
            }
            files.push((of, text));
        }
    }
    Ok(())
}

/// Collects the paths in `tokens` that may name a module, each with the module it is written in.
fn scan(tokens: TokenStream, here: &Module, paths: &mut Vec<(Module, Module)>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        if is_cfg_test(&tokens, i) {
            i = item_end(&tokens, i);
            continue;
        }
        match &tokens[i] {
            TokenTree::Ident(word) if word == "use" => {
                let end = (i..tokens.len()).find(|&j| is_punct(&tokens[j], ';')).unwrap_or(tokens.len());
                use_tree(&tokens[i + 1..end], Vec::new(), &mut |path| paths.push((here.clone(), path)));
                i = end + 1;
                continue;
            }
            // `pub(crate)`, `pub(in super::x)`: a visibility, which names no dependency.
            TokenTree::Ident(word) if word == "pub" && is_group(tokens.get(i + 1), Delimiter::Parenthesis) => i += 1,
            TokenTree::Ident(word) if word == "mod" && is_group(tokens.get(i + 2), Delimiter::Brace) => {
                if let (Some(TokenTree::Ident(child)), Some(TokenTree::Group(body))) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                {
                    let mut inner = here.clone();
                    inner.push(child.to_string());
                    scan(body.stream(), &inner, paths);
                    i += 3;
                    continue;
                }
            }
            TokenTree::Ident(first) if is_path_sep(&tokens, i + 1) && !(i >= 2 && is_path_sep(&tokens, i - 2)) => {
                let mut path = vec![first.to_string()];
                let mut j = i + 1;
                while is_path_sep(&tokens, j) {
                    let Some(TokenTree::Ident(segment)) = tokens.get(j + 2) else { break };
                    path.push(segment.to_string());
                    j += 3;
                }
                paths.push((here.clone(), path));
                i = j;
                continue;
            }
            TokenTree::Group(group) => scan(group.stream(), here, paths),
            _ => {}
        }
        i += 1;
    }
}

/// Calls `found` with each path a `use` tree (what follows `use`, up to the `;`) imports.
fn use_tree(tokens: &[TokenTree], mut path: Module, found: &mut impl FnMut(Module)) {
    if path.is_empty() && tokens.first().is_some_and(|t| is_punct(t, ':')) {
        return; // `::name` is another crate
    }
    for token in tokens {
        match token {
            TokenTree::Ident(word) if word == "as" => break,
            // `{self, …}` imports the prefix itself.
            TokenTree::Ident(word) if word == "self" && !path.is_empty() => {}
            TokenTree::Ident(word) => path.push(word.to_string()),
            TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => {
                let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                for part in inner.split(|t| is_punct(t, ',')).filter(|part| !part.is_empty()) {
                    use_tree(part, path.clone(), found);
                }
                return;
            }
            _ => {}
        }
    }
    found(path);
}

/// The module that `path`, written in module `here`, names: the longest prefix of it that is a module.
fn resolve(here: &Module, path: &Module, modules: &BTreeSet<Module>) -> Option<Module> {
    let ups = path.iter().take_while(|s| *s == "super").count();
    let (mut full, rest) = match path.first()?.as_str() {
        "crate" => (Vec::new(), &path[1..]),
        "self" => (here.clone(), &path[1..]),
        "super" => (here[..here.len().checked_sub(ups)?].to_vec(), &path[ups..]),
        first => {
            let child = [here.as_slice(), &[first.to_string()]].concat();
            if !modules.contains(&child) {
                return None; // another crate, or an item in scope
            }
            (here.clone(), &path[..])
        }
    };
    full.extend_from_slice(rest);
    (0..=full.len()).rev().map(|n| full[..n].to_vec()).find(|prefix| modules.contains(prefix))
}

/// Whether `tokens[i..]` starts with `#[cfg(test)]`.
fn is_cfg_test(tokens: &[TokenTree], i: usize) -> bool {
    let Some(TokenTree::Group(attr)) = tokens.get(i + 1) else { return false };
    is_punct(&tokens[i], '#')
        && attr.delimiter() == Delimiter::Bracket
        && attr.stream().to_string().replace(' ', "") == "cfg(test)"
}

/// The index after the item that starts at `i` (with its attributes): after its first `;` or `{ … }`.
fn item_end(tokens: &[TokenTree], i: usize) -> usize {
    let mut j = i;
    while j < tokens.len() {
        if is_punct(&tokens[j], '#') && is_group(tokens.get(j + 1), Delimiter::Bracket) {
            j += 2;
            continue;
        }
        if is_punct(&tokens[j], ';') || is_group(tokens.get(j), Delimiter::Brace) {
            return j + 1;
        }
        j += 1;
    }
    j
}

fn is_punct(token: &TokenTree, c: char) -> bool {
    matches!(token, TokenTree::Punct(p) if p.as_char() == c)
}

fn is_group(token: Option<&TokenTree>, delimiter: Delimiter) -> bool {
    matches!(token, Some(TokenTree::Group(g)) if g.delimiter() == delimiter)
}

/// Whether `tokens[i..]` starts with `::`.
fn is_path_sep(tokens: &[TokenTree], i: usize) -> bool {
    matches!(
        (tokens.get(i), tokens.get(i + 1)),
        (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
            if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':'
    )
}

struct Tarjan<'a> {
    graph: &'a Graph,
    index: BTreeMap<&'a str, usize>,
    low: BTreeMap<&'a str, usize>,
    stack: Vec<&'a str>,
    found: Vec<Vec<String>>,
}

impl<'a> Tarjan<'a> {
    fn visit(&mut self, v: &'a str) {
        let graph = self.graph;
        let index = self.index.len();
        self.index.insert(v, index);
        self.low.insert(v, index);
        self.stack.push(v);
        for w in graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !self.index.contains_key(w) {
                self.visit(w);
                self.low.insert(v, self.low[v].min(self.low[w]));
            } else if self.stack.contains(&w) {
                self.low.insert(v, self.low[v].min(self.index[w]));
            }
        }
        if self.low[v] == index {
            let at = self.stack.iter().position(|m| *m == v).unwrap_or(0);
            let mut component: Vec<String> = self.stack.drain(at..).map(str::to_string).collect();
            if component.len() > 1 {
                component.sort();
                self.found.push(component);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source folder in the temp dir with `files` (path, text); removed when dropped.
    struct Tree(std::path::PathBuf);

    impl Tree {
        fn new(name: &str, files: &[(&str, &str)]) -> Tree {
            let dir = std::env::temp_dir().join(format!("lectern-imports-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            for (path, text) in files {
                let path = dir.join(path);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, text).unwrap();
            }
            Tree(dir)
        }

        fn edges(&self) -> Vec<String> {
            let graph = graph(&self.0).unwrap();
            graph.iter().flat_map(|(from, to)| to.iter().map(move |to| format!("{from} -> {to}"))).collect()
        }
    }

    impl Drop for Tree {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn paths_become_edges_to_the_longest_module_prefix() {
        let tree = Tree::new(
            "paths",
            &[
                ("lib.rs", "mod a; mod db; mod http; pub use a::Thing; fn f() { http::router(); }"),
                ("main.rs", "use lib::db; fn main() { db::connect(); }"),
                ("db.rs", "pub fn connect() {} mod inner { fn f() { super::super::http::router(); } }"),
                ("http/mod.rs", "mod list; use crate::{db, a::b::Deep}; pub fn router() {}"),
                ("http/list.rs", "use super::{router, super::a::b};"),
                ("a/mod.rs", "pub mod b; pub struct Thing; fn g() -> crate::db::Db { self::b::h() }"),
                ("a/b.rs", "pub fn h() { let _ = Vec::<super::super::http::list::Page>::new(); }"),
            ],
        );
        assert_eq!(
            tree.edges(),
            [
                "a -> a::b",
                "a -> db",
                "a::b -> http::list",
                "crate -> a",
                "crate -> http",
                "db -> http",
                "http -> a::b",
                "http -> db",
                "http::list -> a::b",
                "http::list -> http",
            ]
        );
    }

    #[test]
    fn declarations_visibility_tests_and_other_crates_are_no_edges() {
        let tree = Tree::new(
            "none",
            &[
                ("main.rs", "mod a; mod b; use std::fmt; use ::b::X; fn f() { serde_json::json!(1); }"),
                (
                    "a.rs",
                    "pub(in crate::b) fn f() {} pub(super) fn g() {} // crate::b::f()\nconst S: &str = \"crate::b\";",
                ),
                ("b.rs", "#[cfg(test)]\nmod tests { use crate::a; }\n#[cfg(test)]\nuse crate::a::f;\npub fn h() {}"),
            ],
        );
        assert_eq!(tree.edges(), Vec::<String>::new());
    }

    #[test]
    fn cycles_are_the_components_of_more_than_one_module() {
        let tree = Tree::new(
            "cycles",
            &[
                ("lib.rs", "mod a; mod b; mod c; mod d; mod e; pub use e::E;"),
                ("a.rs", "use crate::b::B;"),
                ("b.rs", "pub struct B; fn f() { crate::c::g() }"),
                ("c.rs", "pub fn g() { super::a::x() } pub fn h() { crate::d::y() }"),
                ("d.rs", "pub fn y() {}"),
                ("e.rs", "use super::*; pub struct E;"),
            ],
        );
        assert_eq!(cycles(&graph(&tree.0).unwrap()), [vec!["a", "b", "c"], vec!["crate", "e"]]);
    }

    #[test]
    fn unreadable_source_is_an_error() {
        let tree = Tree::new("bad", &[("lib.rs", "fn f() { \"unclosed }")]);
        assert!(graph(&tree.0).unwrap_err().contains("crate"));
        assert!(graph(Path::new("/nonexistent/lectern/src")).is_err());
    }

    #[test]
    fn only_new_or_grown_cycles_are_regressions() {
        let cycles = |list: &[&[&str]]| -> Vec<Vec<String>> {
            list.iter().map(|c| c.iter().map(|m| m.to_string()).collect()).collect()
        };
        let baseline: &[&[&str]] = &[&["a", "b", "c"], &["d", "e"]];
        assert!(regressions(&cycles(baseline), baseline).is_empty());
        assert!(regressions(&cycles(&[&["a", "b"]]), baseline).is_empty());
        assert!(regressions(&[], baseline).is_empty());
        assert_eq!(regressions(&cycles(&[&["a", "b", "x"]]), baseline), ["a cycle gained x: a b x"]);
        assert_eq!(regressions(&cycles(&[&["a", "d"]]), baseline), ["a cycle gained d: a d"]);
        assert_eq!(regressions(&cycles(&[&["x", "y"]]), baseline), ["a new cycle: x y"]);
    }
}
