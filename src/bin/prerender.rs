//! Writes the static site into a Trunk build: `prerender [DIST]` (default `dist`). Trunk's
//! dist/index.html, with its hashed asset links, is the template for every page. Then the
//! service worker, which lists every file of this build, so it goes last.
//! `TECHBASICS_SITE_URL` is the origin the site will be served from (for canonical URLs and
//! the sitemap); `TECHBASICS_BASE` the path under it (`/` by default). The compiled site and
//! Trunk's output carry a base mark instead of the path; every file is written with the real
//! one, and a mark left anywhere in the output stops the build.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use std::path::{Path, PathBuf};
    use techbasics::site;

    fn fail(what: String) -> ! {
        eprintln!("prerender: {what}");
        std::process::exit(1);
    }
    fn write(dist: &Path, rel: &str, body: &str, base: &str) {
        let body = site::with_base(body, base);
        let path = dist.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap_or_else(|e| fail(format!("cannot create {}: {e}", dir.display())));
        }
        std::fs::write(&path, body).unwrap_or_else(|e| fail(format!("cannot write {}: {e}", path.display())));
    }
    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, root, out);
            } else if let Ok(rel) = p.strip_prefix(root) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }

    let dist = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "dist".into()));
    let trunk_html = std::fs::read_to_string(dist.join("index.html")).unwrap_or_else(|e| fail(format!("cannot read {}: {e}", dist.join("index.html").display())));
    let base = site::normalize_base(&std::env::var("TECHBASICS_BASE").unwrap_or_default());
    let site_url = std::env::var("TECHBASICS_SITE_URL").ok().filter(|s| !s.is_empty()).unwrap_or_else(|| "http://127.0.0.1:8080".into());
    // The widget bundles scripts/bundles.sh built into dist/bundles/.
    let manifest = dist.join("bundles/manifest.tsv");
    let manifest = std::fs::read_to_string(&manifest).unwrap_or_else(|e| fail(format!("cannot read {}: {e} (run scripts/bundles.sh first)", manifest.display())));
    let bundles = site::parse_manifest(&manifest).unwrap_or_else(|e| fail(e));
    let template = site::Template::new(&trunk_html, site::Build { site_url }, bundles).unwrap_or_else(|e| fail(e));
    let pages = site::pages(&template);
    for p in &pages {
        write(&dist, &p.path, &p.html, &base);
    }
    // Everything the reader may need offline, except the server-only files.
    let mut files = Vec::new();
    walk(&dist, &dist, &mut files);
    files.retain(|f| f != "sw.js" && f != "_headers" && f != "bundles/manifest.tsv" && !f.starts_with('.'));
    files.sort();
    let mut all = Vec::new();
    // Each file is read once, for the service worker's version and to check that none still
    // names the base mark (Trunk's CSS and glue and the bundles included): a file that did
    // would load from the wrong path under every base.
    let mark = techbasics::book::BASE.as_bytes();
    let holds_mark = |bytes: &[u8]| bytes.windows(mark.len()).any(|w| w == mark);
    for f in &files {
        let bytes = std::fs::read(dist.join(f)).unwrap_or_default();
        if holds_mark(&bytes) {
            fail(format!("{f} still holds the base mark {}: it was written without the real base", techbasics::book::BASE));
        }
        all.extend_from_slice(f.as_bytes());
        all.extend(bytes);
    }
    write(&dist, "sw.js", &site::service_worker(&files, site::fnv(&all)), &base);
    println!("prerender: wrote {} files and a service worker for {} files into {}", pages.len(), files.len(), dist.display());
}

#[cfg(target_arch = "wasm32")]
fn main() {}
