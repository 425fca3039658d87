//! The content pipeline: golden output for a fixture that uses every feature, and one test
//! per build failure, each checking the file, the line and the message.

#[allow(dead_code)]
#[path = "../src/kit/catalog.rs"]
mod catalog;
#[allow(dead_code)]
#[path = "../pipeline/mod.rs"]
mod pipeline;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use pipeline::{build, Diagnostic, Options, Segment};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn opts(dir: PathBuf) -> Options {
    Options { content_dir: dir, base: "/".into() }
}

const PARTS: &str = r#"[{"slug":"alpha","title":"Alpha","summary":"A."},{"slug":"beta","title":"Beta","summary":"B."}]"#;
const B: &str = "---\ntitle: B\nslug: b\npart: beta\norder: 1\nsummary: B.\n---\n\n## Target\n";

/// Builds a content folder holding parts.json, a valid chapter b.md, and `a.md` as given.
fn build_with(a_md: &str) -> Result<pipeline::Book, Vec<Diagnostic>> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("techbasics-pipeline-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("parts.json"), PARTS).unwrap();
    std::fs::write(dir.join("a.md"), a_md).unwrap();
    std::fs::write(dir.join("b.md"), B).unwrap();
    let out = build(&opts(dir.clone()));
    std::fs::remove_dir_all(&dir).ok();
    out
}

fn chapter(body: &str) -> String {
    format!("---\ntitle: A\nslug: a\npart: alpha\norder: 1\nsummary: A.\n---\n{body}")
}

/// The one diagnostic the build reports, as `file:line: message`.
fn only_error(a_md: &str) -> String {
    let diags = build_with(a_md).expect_err("the build should fail");
    assert_eq!(diags.len(), 1, "expected one diagnostic, got {diags:#?}");
    diags[0].to_string()
}

#[test]
fn golden_output_for_the_feature_fixture() {
    let book = build(&opts(fixture("content-good"))).unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(book.chapters.len(), 2);
    for ch in &book.chapters {
        let mut rendered = String::new();
        for s in &ch.segments {
            match s {
                Segment::Html(h) => rendered.push_str(h),
                Segment::Widget(w) => rendered.push_str(&format!("[[widget {} instance={} {:?}]]\n", w.widget, w.instance, w.settings)),
            }
        }
        let golden = fixture("golden").join(format!("{}.html", ch.slug));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&golden, &rendered).unwrap();
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        assert_eq!(rendered, expected, "{} differs from {}; rerun with UPDATE_GOLDEN=1 if the change is intended", ch.slug, golden.display());
    }
}

#[test]
fn feature_fixture_details() {
    let book = build(&opts(fixture("content-good"))).unwrap();
    let first = &book.chapters[0];
    let ids: Vec<&str> = first.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["tables", "code", "code-2"]);
    assert_eq!(first.segments.len(), 3, "html, widget, html");
    let html = match &first.segments[0] {
        Segment::Html(h) => h,
        _ => panic!(),
    };
    assert!(html.contains("<table>") && html.contains("class=\"table-wrap\""));
    assert!(html.contains("hl-keyword"), "SQL is highlighted at build time");
    assert!(html.contains("&lt;not html&gt; &amp; plain"), "unknown languages are escaped");
    assert!(html.contains("footnote-reference"));
    assert!(html.contains("href=\"/beta/second#details\""));
    assert!(html.contains("href=\"/alpha/first#tables\""), "in-page links get the full path");
    assert!(!html.contains("comments are dropped"));
    assert!(html.contains('\u{201c}'), "smart punctuation");
    assert!(first.words > 20 && first.minutes() == 1);
}

#[test]
fn base_path_prefixes_every_internal_link() {
    let book = build(&Options { content_dir: fixture("content-good"), base: "/guide/".into() }).unwrap();
    let Segment::Html(h) = &book.chapters[1].segments[0] else { panic!() };
    assert!(h.contains("href=\"/guide/alpha/first\""), "{h}");
    assert!(h.contains("href=\"/guide/\""));
    assert!(h.contains("href=\"/guide/beta/second#details\""), "heading anchors too");
}

#[test]
fn unknown_widget_is_refused_with_its_line() {
    let e = only_error(&chapter("\nText.\n\n```widget dns-lookupp\n{}\n```\n"));
    assert!(e.starts_with("content/a.md:11: unknown widget \"dns-lookupp\""), "{e}");
}

#[test]
fn malformed_widget_configuration_is_refused() {
    let e = only_error(&chapter("\n```widget json-inspector\n{\"preset\": \"order\",}\n```\n"));
    assert!(e.starts_with("content/a.md:10: widget \"json-inspector\": its configuration is not valid JSON"), "{e}");
    let e = only_error(&chapter("\n```widget json-inspector\n[1]\n```\n"));
    assert!(e.contains("must be a JSON object"), "{e}");
    let e = only_error(&chapter("\n```widget json-inspector\n{\"colour\": \"red\"}\n```\n"));
    assert!(e.contains("unknown setting \"colour\"") && e.contains("preset, input, step, seed"), "{e}");
    let e = only_error(&chapter("\n```widget json-inspector\n{\"step\": -3}\n```\n"));
    assert!(e.contains("setting \"step\": -3 is outside"), "{e}");
    let e = only_error(&chapter("\n```widget json-inspector\n{\"preset\": \"nope\"}\n```\n"));
    assert!(e.contains("“nope” is not one of: order, user, types, broken"), "{e}");
}

#[test]
fn widgets_must_be_top_level_and_instances_unique() {
    let e = only_error(&chapter("\n- item\n\n  ```widget json-inspector\n  {}\n  ```\n"));
    assert!(e.contains("top level"), "{e}");
    let e = only_error(&chapter("\n```widget json-inspector\n```\n\n```widget json-inspector\n```\n"));
    assert!(e.contains("appears twice"), "{e}");
    assert!(build_with(&chapter("\n```widget json-inspector\n```\n\n```widget json-inspector\n{\"instance\": \"second\"}\n```\n")).is_ok());
}

#[test]
fn links_that_point_nowhere_are_refused() {
    let e = only_error(&chapter("\nSee [x](/beta/nope).\n"));
    assert_eq!(e, "content/a.md:9: link \"/beta/nope\" points nowhere: no chapter has the route /beta/nope");
    let e = only_error(&chapter("\nSee [x](/beta/b#missing).\n"));
    assert!(e.contains("has no heading with the anchor #missing"), "{e}");
    let e = only_error(&chapter("\n## Here\n\nSee [x](#there).\n"));
    assert!(e.starts_with("content/a.md:11:") && e.contains("#there"), "{e}");
    let e = only_error(&chapter("\nSee [x](beta/b).\n"));
    assert!(e.contains("is relative"), "{e}");
    assert!(build_with(&chapter("\n## Here\n\n[ok](#here) [ok](/beta/b#target) [ok](/) [ok](https://example.com/x)\n")).is_ok());
}

#[test]
fn front_matter_missing_or_duplicated_is_refused() {
    let e = only_error("## No front matter\n");
    assert!(e.starts_with("content/a.md:1: front matter is missing"), "{e}");
    let e = only_error("---\ntitle: A\nslug: a\npart: alpha\norder: 1\nsummary: A.\ntitle: Again\n---\n");
    assert_eq!(e, "content/a.md:7: front matter key \"title\" is duplicated (first given on line 2)");
    let e = only_error("---\ntitle: A\nslug: a\npart: alpha\norder: 1\nsummary: A.\n---\n\n---\ntitle: A\n---\n");
    assert!(e.starts_with("content/a.md:9: front matter is duplicated"), "{e}");
    let e = only_error("---\ntitle: A\nslug: a\npart: alpha\norder: 1\n---\n");
    assert!(e.contains("missing the key \"summary\""), "{e}");
    let e = only_error("---\ntitle: A\nslug: a\npart: alpha\norder: 1\nsummary: A.\n");
    assert!(e.contains("never closed"), "{e}");
    let e = only_error("---\ntitle: A\nslug: A_B\npart: alpha\norder: 1\nsummary: A.\n---\n");
    assert!(e.starts_with("content/a.md:3: slug \"A_B\""), "{e}");
    let e = only_error("---\ntitle: A\nslug: a\npart: gamma\norder: 1\nsummary: A.\n---\n");
    assert!(e.starts_with("content/a.md:4: unknown part \"gamma\""), "{e}");
    let e = only_error("---\ntitle: A\nslug: b\npart: beta\norder: 2\nsummary: A.\n---\n");
    assert!(e.contains("route /beta/b is already taken"), "{e}");
}

#[test]
fn raw_html_images_and_h1_are_refused() {
    let e = only_error(&chapter("\n<script>alert(1)</script>\n"));
    assert!(e.starts_with("content/a.md:9: raw HTML is not allowed"), "{e}");
    let e = only_error(&chapter("\n![a cat](cat.png)\n"));
    assert!(e.contains("images are not supported"), "{e}");
    let e = only_error(&chapter("\n# Title again\n"));
    assert!(e.contains("only top-level heading"), "{e}");
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let diags = build_with(&chapter("\n[x](/nowhere)\n\n```widget nope\n```\n\n<b>bold</b>\n")).unwrap_err();
    assert_eq!(diags.len(), 3, "{diags:#?}");
    let lines: Vec<usize> = diags.iter().map(|d| d.line).collect();
    assert_eq!(lines, [9, 11, 14]);
}

#[test]
fn the_real_content_builds() {
    let book = build(&opts(Path::new(env!("CARGO_MANIFEST_DIR")).join("content"))).unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(book.parts.len(), 7);
    assert!(book.chapters.iter().all(|c| !c.headings.is_empty()), "every chapter has sections");
}
