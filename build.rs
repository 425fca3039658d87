//! Renders content/ into Rust statics at build time (see pipeline/). A content problem
//! stops the build with every diagnostic as `file:line: message`.

#[allow(dead_code)]
#[path = "src/kit/catalog.rs"]
mod catalog;
#[allow(dead_code)]
#[path = "pipeline/mod.rs"]
mod pipeline;

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=content");
    println!("cargo:rerun-if-changed=pipeline");
    println!("cargo:rerun-if-changed=src/kit/catalog.rs");
    println!("cargo:rerun-if-changed=src/kit/registry.rs");
    // Links carry pipeline::BASE_MARK, which the prerender step replaces with the real base.
    let base = pipeline::BASE_MARK.to_string();
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let opts = pipeline::Options { content_dir: root.join("content"), base };
    match pipeline::build(&opts) {
        Ok(book) => {
            let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("book.rs");
            std::fs::write(&out, pipeline::emit::to_rust(&book)).expect("write OUT_DIR/book.rs");
        }
        Err(diags) => {
            eprintln!("The guide's content has {} problem(s):", diags.len());
            for d in &diags {
                eprintln!("error: {d}");
            }
            std::process::exit(1);
        }
    }
}
