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

const PARTS: &str = r#"[{"slug":"alpha","title":"Alpha","summary":"A."},{"slug":"beta","title":"Beta","summary":"B."},{"slug":"reference","title":"Reference","summary":"R."}]"#;
const B: &str = "---\ntitle: B\nslug: b\npart: beta\norder: 1\nsummary: B.\n---\n\n## Target\n";

/// Builds a content folder holding parts.json, a valid chapter b.md, and `a.md` as given.
fn build_with(a_md: &str) -> Result<pipeline::Book, Vec<Diagnostic>> {
    build_with_glossary(a_md, None)
}

/// The same, with a glossary.json when given one.
fn build_with_glossary(a_md: &str, glossary: Option<&str>) -> Result<pipeline::Book, Vec<Diagnostic>> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("techbasics-pipeline-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("parts.json"), PARTS).unwrap();
    std::fs::write(dir.join("a.md"), a_md).unwrap();
    std::fs::write(dir.join("b.md"), B).unwrap();
    match glossary {
        Some(g) => std::fs::write(dir.join("glossary.json"), g).unwrap(),
        None => std::fs::write(dir.join("r.md"), "---\ntitle: R\nslug: r\npart: reference\norder: 1\nsummary: R.\n---\n\n## R\n").unwrap(),
    }
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

const GLOSSARY: &str = r#"{"plain": ["OK"], "terms": [
 {"term": "cache", "def": "Keeps answers."},
 {"term": "TTL", "also": ["time to live"], "def": "How long an answer may be kept."}
]}"#;

#[test]
fn glossary_terms_link_once_per_chapter_and_must_be_used() {
    let book = build_with_glossary(&chapter("\n## Caches\n\nA cache keeps answers for a TTL. Caches again, and OK.\n"), Some(GLOSSARY)).unwrap_or_else(|d| panic!("{d:#?}"));
    let a = book.chapters.iter().find(|c| c.slug == "a").unwrap();
    let Segment::Html(h) = &a.segments[0] else { panic!() };
    assert!(h.contains("A <a class=\"term\" href=\"/reference/glossary#cache\" aria-describedby=\"tip-cache\">cache</a><span class=\"term-tip\" role=\"tooltip\" id=\"tip-cache\"><strong>cache</strong>: Keeps answers.</span> keeps"), "{h}");
    assert!(h.contains("<a class=\"term\" href=\"/reference/glossary#ttl\" aria-describedby=\"tip-ttl\">TTL</a>"), "{h}");
    assert_eq!(h.matches("class=\"term\"").count(), 2, "only the first use of each term, never in headings: {h}");
    assert_eq!(h.matches("role=\"tooltip\"").count(), 2, "each linked use carries its definition");
    assert_eq!(a.terms, ["cache", "ttl"]);
    let g = book.chapters.iter().find(|c| c.slug == "glossary").expect("the glossary is a chapter");
    assert_eq!(g.part, "reference");
    assert!(g.headings.iter().any(|h| h.id == "ttl" && h.text == "TTL"));

    let e = build_with_glossary(&chapter("\nA cache, and nothing else.\n"), Some(GLOSSARY)).unwrap_err();
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0].to_string(), "content/glossary.json:3: \"TTL\" is defined but no chapter uses it");
}

#[test]
fn acronyms_missing_from_the_glossary_are_refused() {
    let e = build_with_glossary(&chapter("\nA cache for a TTL, over HTTP and HTTPs.\n"), Some(GLOSSARY)).unwrap_err();
    let msgs: Vec<String> = e.iter().map(|d| d.to_string()).collect();
    assert_eq!(msgs.len(), 1, "HTTPs counts as a plural of HTTP: {msgs:#?}");
    assert!(msgs[0].starts_with("content/a.md:9: \"HTTP\" is not in the glossary"), "{msgs:#?}");
    assert!(build_with_glossary(&chapter("\nA cache for a TTL; `HTTP` in code is fine, and so is OK.\n"), Some(GLOSSARY)).is_ok());
}

#[test]
fn self_checks_render_as_disclosures_linked_to_their_sections() {
    let body = "\n## Here\n\nText.\n\n```check\nQ: One?\nA: Yes.\nSee: #here\n\nQ: Two,\ncontinued?\nA: *Also* yes.\nSee: /beta/b#target\n\nQ: Three?\nA: No.\nSee: /beta/b\n```\n";
    let book = build_with(&chapter(body)).unwrap_or_else(|d| panic!("{d:#?}"));
    let a = book.chapters.iter().find(|c| c.slug == "a").unwrap();
    assert_eq!(a.checks, 3);
    let Segment::Html(h) = &a.segments[0] else { panic!() };
    assert_eq!(h.matches("<details>").count(), 3);
    assert!(h.contains("<summary>Show the answer</summary>"));
    assert!(h.contains("Explained in <a href=\"/alpha/a#here\">Here</a>"), "{h}");
    assert!(h.contains("Explained in <a href=\"/beta/b#target\">Target</a>"), "{h}");
    assert!(h.contains("Explained in <a href=\"/beta/b\">B</a>"), "{h}");
    assert!(h.contains("Two, continued?") && h.contains("<em>Also</em> yes."), "{h}");

    let e = only_error(&chapter("\n```check\nQ: One?\nA: Yes.\nSee: /beta/b\n```\n"));
    assert_eq!(e, "content/a.md:9: a self-check has 3 to 5 questions, not 1");
    let e = only_error(&chapter("\n```check\nQ: 1?\nA: y\nSee: /beta/b\nQ: 2?\nA: y\nSee: /beta/b#target\nQ: 3?\nA: y\n```\n"));
    assert!(e.starts_with("content/a.md:16: each question needs an answer"), "{e}");
    let e = build_with(&chapter("\n```check\nQ: 1?\nA: y\nSee: /beta/b\nQ: 2?\nA: y\nSee: /beta/b#nope\nQ: 3?\nA: [link](/beta/b)\nSee: /beta/b\n```\n")).unwrap_err();
    let msgs: Vec<String> = e.iter().map(|d| d.to_string()).collect();
    assert!(msgs.iter().any(|m| m.starts_with("content/a.md:13: link \"/beta/b#nope\"")), "{msgs:#?}");
    assert!(msgs.iter().any(|m| m.contains("plain Markdown formatting only")), "{msgs:#?}");
}

#[test]
fn diagrams_need_a_known_name_and_a_caption() {
    let book = build_with(&chapter("\n```diagram btree\nA *small* tree.\n```\n")).unwrap();
    let a = book.chapters.iter().find(|c| c.slug == "a").unwrap();
    let Segment::Html(h) = &a.segments[0] else { panic!() };
    assert!(h.starts_with("<figure class=\"diagram\" id=\"figure-btree\"><svg"), "{h}");
    assert!(h.contains("<title id=\"d-btree-t\">A small B+tree</title>") && h.contains("<desc id=\"d-btree-d\">"));
    assert!(h.contains("<figcaption><p>A <em>small</em> tree.</p>\n</figcaption>"), "{h}");
    assert_eq!(a.diagrams, ["btree"]);
    let e = only_error(&chapter("\n```diagram nope\nCaption.\n```\n"));
    assert!(e.starts_with("content/a.md:9: unknown diagram \"nope\"; known diagrams: client-server,"), "{e}");
    let e = only_error(&chapter("\n```diagram btree\n```\n"));
    assert!(e.contains("needs a caption"), "{e}");
}

fn real_book() -> pipeline::Book {
    build(&opts(Path::new(env!("CARGO_MANIFEST_DIR")).join("content"))).unwrap_or_else(|d| panic!("{d:#?}"))
}

#[test]
fn the_real_content_builds() {
    let book = real_book();
    let parts: Vec<&str> = book.parts.iter().map(|p| p.slug.as_str()).collect();
    assert_eq!(parts, ["web", "apis", "databases", "integrations", "deployment", "scaling", "end-to-end", "reference"]);
    for c in &book.chapters {
        assert!(!c.headings.is_empty(), "{}: every chapter has sections", c.file);
        assert!(c.summary.len() > 30 && c.summary.ends_with('.'), "{}: every chapter has a one-sentence summary", c.file);
        assert!(c.minutes() >= 1 && c.minutes() == c.words.div_ceil(200).max(1), "{}: reading time", c.file);
    }
    let words: usize = book.chapters.iter().map(|c| c.words).sum();
    // The ceiling grows with the chapters the widget issues add (HTTP, the browser's rules,
    // part 6's queues and sharding) and the sections the text issue asks for (HTTP caching,
    // pushing updates, failures on the network).
    assert!((12_000..=32_000).contains(&words), "the guide has {words} words");
}

#[test]
fn every_teaching_chapter_ends_with_a_self_check_and_links_glossary_terms() {
    for c in real_book().chapters.iter().filter(|c| c.part != "reference") {
        assert!((3..=5).contains(&c.checks), "{}: {} self-check questions", c.file, c.checks);
        let Some(Segment::Html(last)) = c.segments.last() else { panic!("{} ends with a widget", c.file) };
        assert!(last.trim_end().ends_with("</ol>") && last.contains("class=\"self-check\""), "{}: the self-check comes last", c.file);
        assert!(c.headings.last().is_some_and(|h| h.id == "check-yourself"), "{}", c.file);
        assert!(c.terms.len() >= 5, "{}: only {} glossary terms linked", c.file, c.terms.len());
    }
}

#[test]
fn the_glossary_defines_every_term_in_a_sentence_or_two_and_each_is_used() {
    let book = real_book();
    let g = book.glossary.as_ref().expect("content/glossary.json");
    assert!(g.terms.len() >= 100, "{} terms", g.terms.len());
    for t in &g.terms {
        let sentences = t.def.matches(". ").count() + usize::from(t.def.ends_with('.'));
        assert!((1..=2).contains(&sentences), "{}: {sentences} sentences", t.term);
        let users = book.chapters.iter().filter(|c| c.terms.contains(&t.id)).count();
        assert!(users >= 1, "{} is used by no chapter", t.term);
    }
    let glossary = book.chapters.iter().find(|c| c.slug == "glossary").unwrap();
    assert_eq!(glossary.headings.iter().filter(|h| h.level == 3).count(), g.terms.len());
}

#[test]
fn every_diagram_has_a_text_alternative_and_a_caption() {
    let book = real_book();
    let mut seen = Vec::new();
    for c in &book.chapters {
        let html: String = c.segments.iter().filter_map(|s| if let Segment::Html(h) = s { Some(h.as_str()) } else { None }).collect();
        assert_eq!(html.matches("<figure class=\"diagram\"").count(), c.diagrams.len());
        for name in &c.diagrams {
            let at = html.find(&format!("id=\"figure-{name}\"")).unwrap();
            let fig = &html[at..at + html[at..].find("</figure>").unwrap()];
            for tag in ["<title id=", "<desc id=", "<figcaption><p>"] {
                assert!(fig.contains(tag), "{}: diagram {name} lacks {tag}", c.file);
            }
            assert!(fig.contains(&format!("aria-labelledby=\"d-{name}-t d-{name}-d\"")));
            seen.push(name.clone());
        }
    }
    seen.sort();
    let mut all: Vec<String> = pipeline::diagrams::NAMES.iter().map(|s| s.to_string()).collect();
    all.sort();
    assert_eq!(seen, all, "every diagram is placed exactly once");
}
