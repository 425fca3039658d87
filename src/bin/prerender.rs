//! Writes the static pages into a Trunk build: `prerender [DIST]` (default `dist`). Trunk's
//! dist/index.html, with its hashed asset links, is the template for every page.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let dist = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "dist".into()));
    let template_path = dist.join("index.html");
    let template = match std::fs::read_to_string(&template_path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("prerender: cannot read {}: {e}", template_path.display());
            std::process::exit(1);
        }
    };
    let pages = match techbasics::site::pages(&template) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("prerender: {e}");
            std::process::exit(1);
        }
    };
    for p in &pages {
        let path = dist.join(&p.path);
        if let Some(dir) = path.parent() {
            if let Err(e) = std::fs::create_dir_all(dir) {
                eprintln!("prerender: cannot create {}: {e}", dir.display());
                std::process::exit(1);
            }
        }
        if let Err(e) = std::fs::write(&path, &p.html) {
            eprintln!("prerender: cannot write {}: {e}", path.display());
            std::process::exit(1);
        }
    }
    println!("prerender: wrote {} pages into {}", pages.len(), dist.display());
}

#[cfg(target_arch = "wasm32")]
fn main() {}
