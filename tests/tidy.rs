//! Tidy checks in the manner of rust-analyzer's: rules about the code base that a reviewer
//! would otherwise have to remember. Each failure says what to fix.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use techbasics::kit::catalog::WIDGETS;
use techbasics::kit::widget::REGISTRY;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every file under `dir` (relative to the root), as paths relative to the root.
fn files(dir: &str) -> Vec<String> {
    fn walk(p: &Path, base: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(p) else { return };
        for e in entries.flatten() {
            let path = e.path();
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with('.') || name == "target" || name == "node_modules" || name.starts_with("dist") {
                continue;
            }
            if path.is_dir() {
                walk(&path, base, out);
            } else if let Ok(rel) = path.strip_prefix(base) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join(dir), &root(), &mut out);
    out.sort();
    out
}

/// The code of a Rust file without its comments, so a doc comment that names a crate does
/// not count as using it.
fn code_of(src: &str) -> String {
    src.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// `src/sim` is pure: it never reaches into the kit, the browser app, leptos or web-sys.
#[test]
fn engines_import_nothing_above_them() {
    let forbidden = ["crate::kit", "crate::ui", "crate::widgets", "crate::site", "leptos", "web_sys", "js_sys", "wasm_bindgen", "SystemTime", "Instant::now"];
    let mut bad = Vec::new();
    let sim = files("src/sim");
    assert!(sim.len() >= 10, "found the engines");
    for f in &sim {
        let code = code_of(&read(f));
        for word in forbidden {
            if code.contains(word) {
                bad.push(format!("{f} uses {word}"));
            }
        }
    }
    assert!(bad.is_empty(), "src/sim must stay pure (inputs, a seed and virtual time in; states out). Move these out of the engine:\n{}", bad.join("\n"));
}

/// The content pipeline's modules form no cycle: each `use super::X` is an edge.
#[test]
fn the_pipeline_has_no_import_cycle() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let modules: Vec<String> = files("pipeline").iter().filter(|f| f.ends_with(".rs") && !f.ends_with("mod.rs")).map(|f| f.trim_start_matches("pipeline/").trim_end_matches(".rs").to_string()).collect();
    assert!(modules.len() >= 5);
    for m in &modules {
        let code = code_of(&read(&format!("pipeline/{m}.rs")));
        let mut used: Vec<String> = Vec::new();
        for stmt in code.split(';').map(str::trim) {
            let Some(rest) = stmt.strip_prefix("use super::").or_else(|| stmt.strip_prefix("pub use super::")) else { continue };
            match rest.strip_prefix('{') {
                // `use super::{a, b::{c, d}}`: the first segment of each top-level item.
                Some(list) => {
                    let mut depth = 0;
                    let mut item = String::new();
                    for c in list.chars() {
                        match c {
                            '{' => depth += 1,
                            '}' if depth == 0 => break,
                            '}' => depth -= 1,
                            ',' if depth == 0 => used.push(std::mem::take(&mut item)),
                            c if depth == 0 => item.push(c),
                            _ => {}
                        }
                    }
                    used.push(item);
                }
                None => used.push(rest.to_string()),
            }
        }
        for (at, _) in code.match_indices("super::") {
            used.push(code[at + 7..].to_string());
        }
        for u in used {
            let first = u.trim().split("::").next().unwrap_or("").trim().to_string();
            if modules.contains(&first) && first != *m {
                edges.entry(m.clone()).or_default().insert(first);
            }
        }
    }
    fn visit(n: &str, edges: &BTreeMap<String, BTreeSet<String>>, path: &mut Vec<String>, done: &mut BTreeSet<String>) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            let mut cycle = path[i..].to_vec();
            cycle.push(n.to_string());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for next in edges.get(n).into_iter().flatten() {
            if let Some(c) = visit(next, edges, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for m in &modules {
        if let Some(cycle) = visit(m, &edges, &mut Vec::new(), &mut done) {
            panic!("pipeline/ has an import cycle: {}. Move what both need into the lower module.", cycle.join(" → "));
        }
    }
}

/// Each registered widget has everything a widget is: its view, its CSS section, its row in
/// content/README.md and its browser test; and the CSS reserves exactly the heights its
/// `Widget::RESERVE` declares, for each variant.
#[test]
fn every_registered_widget_is_complete() {
    assert_eq!(REGISTRY.len(), WIDGETS.len());
    let css = read("style/main.css");
    let readme = read("content/README.md");
    let views = read("src/widgets/mod.rs");
    let mut missing = Vec::new();
    for e in REGISTRY {
        let id = e.spec.id;
        let snake = id.replace('-', "_");
        let view = std::fs::read_to_string(root().join(format!("src/widgets/{snake}/mod.rs"))).unwrap_or_default();
        if !view.contains("impl View for ") || !views.contains(&format!("mod {snake};")) {
            missing.push(format!("{id}: its view, src/widgets/{snake}/mod.rs, with `impl View for` its widget and `mod {snake};` in src/widgets/mod.rs"));
        }
        if !css.contains(&format!("/* widget: {id} ")) {
            missing.push(format!("{id}: its CSS section in style/main.css, opened by `/* widget: {id} */`"));
        }
        match readme.lines().find(|l| l.starts_with(&format!("| `{id}` |"))) {
            None => missing.push(format!("{id}: its row in content/README.md's table of widgets (`| `{id}` | settings |`)")),
            Some(row) => {
                for key in e.spec.params.iter().map(|p| p.key) {
                    if !row.contains(&format!("`{key}`")) {
                        missing.push(format!("{id}: content/README.md's row does not describe the setting `{key}`"));
                    }
                }
            }
        }
        if !root().join(format!("tests/e2e/{id}.test.mjs")).exists() {
            missing.push(format!("{id}: its browser test, tests/e2e/{id}.test.mjs"));
        }
        for r in e.reserve {
            let sel = match r.variant {
                None => format!(".widget-mount[data-for=\"{id}\"] {{ min-height: "),
                Some(v) => format!(".widget-mount[data-for=\"{id}\"][data-variant=\"{v}\"] {{ min-height: "),
            };
            let found: Vec<u32> = css.match_indices(&sel).filter_map(|(at, _)| css[at + sel.len()..].split("px").next()?.trim().parse().ok()).collect();
            // The stylesheet gives the phone height first, then the wide one in a media query.
            if found != [r.narrow, r.wide] {
                missing.push(format!("{id}: style/main.css reserves {found:?} px for {sel}… (phone, then wide), the widget declares [{}, {}]", r.narrow, r.wide));
            }
        }
    }
    assert!(missing.is_empty(), "A registered widget is incomplete:\n{}", missing.join("\n"));
}

/// Every path ARCHITECTURE.md names in backticks exists (as a file or folder whose path ends
/// with it), so the map never points at something that moved.
#[test]
fn architecture_names_only_paths_that_exist() {
    let doc = read("ARCHITECTURE.md");
    let mut all: Vec<String> = files(".");
    let dirs: BTreeSet<String> = all.iter().flat_map(|f| f.match_indices('/').flat_map(move |(i, _)| [format!("{}/", &f[..i]), f[..i].to_string()])).collect();
    all.extend(dirs);
    let exts = [".rs", ".mjs", ".js", ".sh", ".css", ".md", ".toml", ".json", ".html", ".conf", ".txt"];
    let mut named = 0;
    let mut gone = Vec::new();
    for (i, tick) in doc.split('`').enumerate() {
        // Placeholders are upper case (`src/widgets/NAME/`, `boot-HASH.js`); dist/ is built.
        let placeholder = tick.split(['/', '-', '.']).any(|seg| seg.len() >= 2 && seg.chars().all(|c| c.is_ascii_uppercase()));
        if i % 2 == 0 || tick.contains(' ') || tick.contains('*') || placeholder || tick.starts_with("dist") {
            continue;
        }
        // A path ends with a file extension or starts at a top-level file or folder.
        let top = tick.split('/').next().unwrap_or("");
        let looks_like_path = exts.iter().any(|e| tick.ends_with(e)) || (tick.contains('/') && !tick.contains("::") && root().join(top).exists() && !top.is_empty());
        if !looks_like_path {
            continue;
        }
        named += 1;
        let t = tick.trim_start_matches("./");
        if !all.iter().any(|f| f == t || f.ends_with(&format!("/{t}"))) {
            gone.push(tick.to_string());
        }
    }
    assert!(named >= 30, "ARCHITECTURE.md names files (found {named})");
    assert!(gone.is_empty(), "ARCHITECTURE.md names paths that do not exist: {gone:?}. Update the map.");
}
