//! The content pipeline: content/*.md in, checked and rendered chapters out.
//!
//! Runs at build time (build.rs includes this module by path; so does the test suite), so
//! no Markdown parser or highlighter ships to readers. Every option lives in [`Options`] and
//! [`markdown_options`]. Problems come back as [`Diagnostic`]s naming file and line; the
//! build prints them all and stops.

pub mod diagrams;
pub mod emit;
pub mod escape;
pub mod frontmatter;
pub mod glossary;
pub mod highlight;
pub mod render;

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

pub use render::{Heading, Segment};

/// The base the build writes into every internal link, in place of the path the site is served
/// under. The prerender step replaces it with that path (`TECHBASICS_BASE`) as it writes each
/// file, so nothing compiled depends on where the site is hosted: one build serves a domain
/// root and a sub-path alike, and a sub-path build rebuilds no wasm.
pub const BASE_MARK: &str = "/__techbasics_base__/";

/// Everything the pipeline needs to know, in one place.
#[derive(Clone, Debug)]
pub struct Options {
    /// The folder holding parts.json and the chapter files.
    pub content_dir: PathBuf,
    /// The path the site is served under, starting and ending with `/`.
    pub base: String,
}

/// A problem in the content, pointing at the file and line to fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub slug: String,
    pub title: String,
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chapter {
    pub file: String,
    pub part: String,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub order: u32,
    pub words: usize,
    pub headings: Vec<Heading>,
    pub segments: Vec<Segment>,
    /// Questions in the closing self-check.
    pub checks: usize,
    pub diagrams: Vec<String>,
    /// Anchors (in the glossary) of the terms this chapter links.
    pub terms: Vec<String>,
}

impl Chapter {
    fn new(file: String, fm: frontmatter::FrontMatter, page: render::Page, terms: Vec<String>) -> Chapter {
        Chapter {
            file,
            part: fm.part,
            slug: fm.slug,
            title: fm.title,
            summary: fm.summary,
            order: fm.order,
            words: page.words,
            headings: page.headings,
            segments: page.segments,
            checks: page.checks,
            diagrams: page.diagrams,
            terms,
        }
    }

    pub fn route(&self) -> String {
        format!("/{}/{}", self.part, self.slug)
    }

    /// Reading time at 200 words a minute, rounded up, at least one minute.
    pub fn minutes(&self) -> usize {
        self.words.div_ceil(200).max(1)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Book {
    pub base: String,
    pub parts: Vec<Part>,
    /// In reading order: by part, then by `order`.
    pub chapters: Vec<Chapter>,
    pub glossary: Option<glossary::Glossary>,
}

/// Files in the content folder that are not chapters.
const NOT_CHAPTERS: &[&str] = &["README.md"];

/// The glossary chapter's front matter (its entries come from glossary.json).
fn glossary_front_matter() -> frontmatter::FrontMatter {
    frontmatter::FrontMatter {
        title: "Glossary".into(),
        slug: glossary::ROUTE.1.into(),
        part: glossary::ROUTE.0.into(),
        part_line: 1,
        order: 1,
        summary: "Every technical term in the guide, each in a sentence or two, with links back to where it matters.".into(),
    }
}

/// Reads, checks and renders every chapter.
pub fn build(opts: &Options) -> Result<Book, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let parts = read_parts(&opts.content_dir, &mut diags);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&opts.content_dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .filter(|p| !NOT_CHAPTERS.iter().any(|n| p.file_name().is_some_and(|f| f == *n)))
            .collect(),
        Err(e) => {
            return Err(vec![Diagnostic { file: opts.content_dir.display().to_string(), line: 0, message: format!("cannot read the content folder: {e}") }])
        }
    };
    files.sort();

    let gloss = glossary::Glossary::load(&opts.content_dir, &mut diags);
    let cx = render::Context { base: &opts.base, glossary: gloss.as_ref(), link_terms: true };
    let mut chapters = Vec::new();
    let mut links = Vec::new();
    let mut used_terms = std::collections::BTreeSet::new();
    if let Some(g) = &gloss {
        let file = format!("content/{}", glossary::FILE);
        let fm = glossary_front_matter();
        let page = render::render(&file, &g.markdown(), 1, &fm, render::Context { link_terms: false, ..cx }, &mut diags);
        links.extend(page.links.iter().cloned().map(|l| (file.clone(), l)));
        chapters.push(Chapter::new(file, fm, page, Vec::new()));
    }
    for path in &files {
        let name = display_name(&opts.content_dir, path);
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                diags.push(Diagnostic { file: name, line: 0, message: format!("cannot read: {e}") });
                continue;
            }
        };
        let Some((fm, body, body_line)) = frontmatter::parse(&name, &text, &mut diags) else { continue };
        if !parts.iter().any(|p| p.slug == fm.part) && !parts.is_empty() {
            let known: Vec<&str> = parts.iter().map(|p| p.slug.as_str()).collect();
            diags.push(Diagnostic { file: name.clone(), line: fm.part_line, message: format!("unknown part \"{}\"; parts.json lists: {}", fm.part, known.join(", ")) });
        }
        let page = render::render(&name, body, body_line, &fm, cx, &mut diags);
        links.extend(page.links.iter().cloned().map(|l| (name.clone(), l)));
        used_terms.extend(page.terms.iter().copied());
        let terms = gloss.as_ref().map(|g| page.terms.iter().map(|&i| g.terms[i].id.clone()).collect()).unwrap_or_default();
        chapters.push(Chapter::new(name, fm, page, terms));
    }
    for (i, t) in gloss.iter().flat_map(|g| g.terms.iter().enumerate()) {
        if !used_terms.contains(&i) {
            diags.push(Diagnostic { file: format!("content/{}", glossary::FILE), line: t.line, message: format!("\"{}\" is defined but no chapter uses it", t.term) });
        }
    }

    let mut seen: BTreeMap<String, &Chapter> = BTreeMap::new();
    let mut orders: HashSet<(String, u32)> = HashSet::new();
    for ch in &chapters {
        if let Some(first) = seen.insert(ch.route(), ch) {
            diags.push(Diagnostic { file: ch.file.clone(), line: 1, message: format!("route {} is already taken by {}", ch.route(), first.file) });
        }
        if !orders.insert((ch.part.clone(), ch.order)) {
            diags.push(Diagnostic { file: ch.file.clone(), line: 1, message: format!("another chapter in part \"{}\" already has order {}", ch.part, ch.order) });
        }
    }
    check_links(&chapters, &links, &mut diags);
    if diags.is_empty() {
        resolve_see_links(&mut chapters);
    }

    chapters.sort_by_key(|c| (parts.iter().position(|p| p.slug == c.part).unwrap_or(usize::MAX), c.order));
    let clean = diags.is_empty();
    for p in parts.iter().filter(|_| clean) {
        if !chapters.iter().any(|c| c.part == p.slug) {
            diags.push(Diagnostic { file: "parts.json".into(), line: 1, message: format!("part \"{}\" has no chapters", p.slug) });
        }
    }
    if diags.is_empty() {
        Ok(Book { base: opts.base.clone(), parts, chapters, glossary: gloss })
    } else {
        diags.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        Err(diags)
    }
}

fn display_name(dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(dir).unwrap_or(path);
    format!("content/{}", rel.display())
}

fn read_parts(dir: &Path, diags: &mut Vec<Diagnostic>) -> Vec<Part> {
    let file = "content/parts.json".to_string();
    let text = match std::fs::read_to_string(dir.join("parts.json")) {
        Ok(t) => t,
        Err(e) => {
            diags.push(Diagnostic { file, line: 0, message: format!("cannot read the list of parts: {e}") });
            return Vec::new();
        }
    };
    let value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            diags.push(Diagnostic { file, line: e.line(), message: format!("not valid JSON: {e}") });
            return Vec::new();
        }
    };
    let mut parts = Vec::new();
    for (i, item) in value.as_array().into_iter().flatten().enumerate() {
        let field = |k: &str| item.get(k).and_then(|v| v.as_str()).map(str::to_string);
        match (field("slug"), field("title"), field("summary")) {
            (Some(slug), Some(title), Some(summary)) if frontmatter::is_slug(&slug) => parts.push(Part { slug, title, summary }),
            _ => diags.push(Diagnostic { file: file.clone(), line: 1, message: format!("part {} needs a slug (a-z, 0-9, -), a title and a summary", i + 1) }),
        }
    }
    if parts.is_empty() && diags.is_empty() {
        diags.push(Diagnostic { file, line: 1, message: "expected an array of parts".into() });
    }
    parts
}

/// Self-check answers end "Explained in <section>": fill in each section's title now that
/// every chapter's headings are known (the links themselves are already checked).
fn resolve_see_links(chapters: &mut [Chapter]) {
    let titles: BTreeMap<String, String> = chapters
        .iter()
        .flat_map(|c| std::iter::once((c.route(), c.title.clone())).chain(c.headings.iter().map(move |h| (format!("{}#{}", c.route(), h.id), h.text.clone()))))
        .collect();
    for ch in chapters.iter_mut() {
        for seg in ch.segments.iter_mut() {
            let Segment::Html(html) = seg else { continue };
            while let Some(at) = html.find(render::SEE_MARK) {
                let from = at + render::SEE_MARK.len();
                let Some(len) = html[from..].find("-->") else { break };
                let target = html[from..from + len].replace("&amp;", "&");
                let text = titles.get(&target).cloned().unwrap_or(target);
                html.replace_range(at..from + len + 3, &escape::escape(&text));
            }
        }
    }
}

/// Every internal link must name a chapter (or the landing page) and, if it has one, an
/// anchor that chapter really has.
fn check_links(chapters: &[Chapter], links: &[(String, render::Link)], diags: &mut Vec<Diagnostic>) {
    for (file, link) in links {
        let (path, anchor) = match link.target.split_once('#') {
            Some((p, a)) => (p, Some(a)),
            None => (link.target.as_str(), None),
        };
        if path == "/" || path.is_empty() {
            if anchor.is_some() {
                diags.push(Diagnostic { file: file.clone(), line: link.line, message: format!("link \"{}\": the landing page has no anchors", link.target) });
            }
            continue;
        }
        let Some(ch) = chapters.iter().find(|c| c.route() == path.trim_end_matches('/')) else {
            diags.push(Diagnostic { file: file.clone(), line: link.line, message: format!("link \"{}\" points nowhere: no chapter has the route {}", link.target, path) });
            continue;
        };
        if let Some(a) = anchor {
            if !ch.headings.iter().any(|h| h.id == a) {
                diags.push(Diagnostic { file: file.clone(), line: link.line, message: format!("link \"{}\": {} has no heading with the anchor #{}", link.target, ch.file, a) });
            }
        }
    }
}
