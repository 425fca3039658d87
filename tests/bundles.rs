//! The widget bundles are derived, never listed by hand: one `src/bin/widget-ID.rs` per
//! registered widget, and one `src/bin/widget-A--B.rs` for each page that shows several
//! widgets (one copy of the runtime for the page). Cargo finds the files, and
//! scripts/bundles.sh builds every `widget-*` and `lazy-*` bin it finds. This test fails,
//! with the fix, when src/bin/ and the registry disagree; run it with
//! `TECHBASICS_WRITE_BUNDLES=1` to write the fix (`make bundles` does that).

use std::collections::BTreeMap;
use std::path::PathBuf;

use techbasics::book::{Segment, CHAPTERS};
use techbasics::kit::widget::REGISTRY;

/// The source of the bundle that starts the widgets `ids`, in order.
fn source(ids: &[&str]) -> String {
    let what = if ids.len() == 1 {
        format!("The `{}` widget's own wasm bundle: loaded only by pages that show it.", ids[0])
    } else {
        format!("The bundle for pages that show {}: one copy of the shared runtime for all of them.", ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(" and "))
    };
    let starts: String = ids
        .iter()
        .map(|id| {
            let e = REGISTRY.iter().find(|e| e.spec.id == *id).expect("a registered widget");
            format!("    techbasics::ui::mount::start::<{}>();\n", (e.type_name)())
        })
        .collect();
    format!(
        "//! {what}\n//! Generated from the widget registry by tests/bundles.rs (`make bundles`); do not edit.\n#[cfg(target_arch = \"wasm32\")]\nfn main() {{\n{starts}}}\n\n#[cfg(not(target_arch = \"wasm32\"))]\nfn main() {{}}\n"
    )
}

/// Every bundle the registry and the chapters call for: file name to source.
fn expected() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in REGISTRY {
        out.insert(format!("widget-{}.rs", e.spec.id), source(&[e.spec.id]));
    }
    for ch in CHAPTERS {
        let mut ids: Vec<&str> = Vec::new();
        for s in ch.segments {
            if let Segment::Widget(w) = s {
                if !ids.contains(&w.widget) {
                    ids.push(w.widget);
                }
            }
        }
        if ids.len() > 1 {
            out.insert(format!("widget-{}.rs", ids.join("--")), source(&ids));
        }
    }
    out
}

#[test]
fn src_bin_holds_exactly_the_bundles_the_registry_calls_for() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/bin");
    let want = expected();
    assert!(want.len() > REGISTRY.len(), "a combined bundle for the page that shows two widgets");
    let mut have = BTreeMap::new();
    for e in std::fs::read_dir(&dir).expect("src/bin").flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with("widget-") && name.ends_with(".rs") {
            have.insert(name, std::fs::read_to_string(e.path()).unwrap_or_default());
        }
    }
    if std::env::var("TECHBASICS_WRITE_BUNDLES").is_ok_and(|v| v == "1") {
        for name in have.keys().filter(|n| !want.contains_key(*n)) {
            std::fs::remove_file(dir.join(name)).expect("remove a stale bundle");
        }
        for (name, src) in &want {
            if have.get(name) != Some(src) {
                std::fs::write(dir.join(name), src).expect("write a bundle");
            }
        }
        return;
    }
    let mut fixes = Vec::new();
    for (name, src) in &want {
        match have.get(name) {
            None => fixes.push(format!("add src/bin/{name}:\n{src}")),
            Some(h) if h != src => fixes.push(format!("replace src/bin/{name} with:\n{src}")),
            _ => {}
        }
    }
    for name in have.keys().filter(|n| !want.contains_key(*n)) {
        fixes.push(format!("remove src/bin/{name}: no widget or page needs it"));
    }
    assert!(fixes.is_empty(), "src/bin/ disagrees with the widget registry. Run `make bundles` (TECHBASICS_WRITE_BUNDLES=1 cargo test --test bundles), or by hand:\n\n{}", fixes.join("\n"));
}
