//! Markdown to HTML segments for one chapter: heading anchors, highlighted code, checked
//! links, and widget directives split out so the app can mount live widgets between the
//! HTML segments.

use std::collections::{BTreeSet, HashSet};

use pulldown_cmark::{html, CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::frontmatter::FrontMatter;
use super::glossary::{self, slugify, Glossary};
use super::highlight::{code_block, escape};
use super::{diagrams, Diagnostic};
use crate::catalog;

/// The Markdown features the guide uses. Raw HTML and images are refused during rendering.
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WidgetPlacement {
    pub widget: String,
    pub instance: String,
    /// Settings as raw strings, each already checked against the widget's catalog entry.
    pub settings: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Html(String),
    Widget(WidgetPlacement),
}

/// An internal link to check once every chapter is known. `target` is a root path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub target: String,
    pub line: usize,
}

pub struct Page {
    pub words: usize,
    pub headings: Vec<Heading>,
    pub segments: Vec<Segment>,
    pub links: Vec<Link>,
    /// Indexes into the glossary's terms of every term linked in this chapter.
    pub terms: BTreeSet<usize>,
    /// Questions in the chapter's self-check.
    pub checks: usize,
    pub diagrams: Vec<String>,
}

/// What a chapter is rendered against besides its own text.
#[derive(Clone, Copy)]
pub struct Context<'g> {
    pub base: &'g str,
    /// The glossary, for the acronym check.
    pub glossary: Option<&'g Glossary>,
    /// Link the first use of each glossary term (off for the glossary itself).
    pub link_terms: bool,
}

/// The fence tag that marks a widget directive: ```` ```widget ID ````.
pub const DIRECTIVE: &str = "widget";
/// ```` ```check ````: the chapter's self-check questions, as `Q:`, `A:` and `See:` lines.
pub const CHECK: &str = "check";
/// ```` ```diagram NAME ````: a build-time SVG from `diagrams.rs`; the body is its caption.
pub const DIAGRAM: &str = "diagram";
/// Placeholder for a self-check's "See" link text, replaced with the heading's text once
/// every chapter is known.
pub const SEE_MARK: &str = "<!--see:";

pub fn render(file: &str, body: &str, body_line: usize, fm: &FrontMatter, cx: Context, diags: &mut Vec<Diagnostic>) -> Page {
    let base = cx.base;
    let no_terms: &[glossary::Term] = &[];
    let terms = match cx.glossary {
        Some(g) if cx.link_terms => g.terms.as_slice(),
        _ => no_terms,
    };
    let line_of = |offset: usize| body_line + body[..offset.min(body.len())].matches('\n').count();
    let err = |line: usize, message: String| Diagnostic { file: file.to_string(), line, message };
    let events: Vec<(Event, std::ops::Range<usize>)> = Parser::new_ext(body, markdown_options()).into_offset_iter().collect();
    let here = format!("/{}/{}", fm.part, fm.slug);

    let headings = collect_headings(&events);
    let mut next_heading = 0;
    let mut words = 0;
    let mut depth = 0usize;
    let mut links = Vec::new();
    let mut instances = HashSet::new();
    let mut segments = Vec::new();
    let mut out: Vec<Event> = Vec::new();
    let mut code: Option<(String, String, usize)> = None;
    let (mut heading_depth, mut link_depth) = (0usize, 0usize);
    let mut linked: BTreeSet<usize> = BTreeSet::new();
    let mut unknown_acronyms: HashSet<String> = HashSet::new();
    let mut checks = 0;
    let mut figures = Vec::new();

    for (event, range) in events {
        let line = line_of(range.start);
        if let Some((info, text, start)) = code.as_mut() {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let (info, text, start) = (info.clone(), std::mem::take(text), *start);
                    code = None;
                    depth -= 1;
                    if let Some(id) = info.strip_prefix(DIRECTIVE).filter(|r| r.is_empty() || r.starts_with(' ')) {
                        if depth != 0 {
                            diags.push(err(start, "a widget must stand on its own at the top level, not inside a list or quote".into()));
                            continue;
                        }
                        if let Some(w) = directive(id.trim(), &text, start, &mut |l, m| diags.push(err(l, m))) {
                            if !instances.insert(w.instance.clone()) {
                                diags.push(err(start, format!("widget instance \"{}\" appears twice in this chapter; give the second an \"instance\" name", w.instance)));
                            }
                            flush(&mut out, &mut segments);
                            segments.push(Segment::Widget(w));
                        }
                    } else if info.trim() == CHECK {
                        if depth != 0 || checks > 0 {
                            diags.push(err(start, "a chapter has one self-check, at the top level".into()));
                            continue;
                        }
                        let (html, n, see) = self_check(&text, start, &here, base, &mut |l, m| diags.push(err(l, m)));
                        checks = n;
                        links.extend(see);
                        out.push(Event::Html(CowStr::from(html)));
                    } else if let Some(name) = info.strip_prefix(DIAGRAM).filter(|r| r.starts_with(' ')).map(str::trim) {
                        if depth != 0 {
                            diags.push(err(start, "a diagram must stand on its own at the top level".into()));
                            continue;
                        }
                        let Some(d) = diagrams::render(name) else {
                            diags.push(err(start, format!("unknown diagram \"{name}\"; known diagrams: {}", diagrams::NAMES.join(", "))));
                            continue;
                        };
                        if text.trim().is_empty() {
                            diags.push(err(start, format!("diagram \"{name}\" needs a caption: write it as the block's body")));
                            continue;
                        }
                        words += text.split_whitespace().count();
                        let caption = inline_md(&text, start + 1, &mut |l, m| diags.push(err(l, m)));
                        figures.push(name.to_string());
                        out.push(Event::Html(CowStr::from(format!(
                            "<figure class=\"diagram\" id=\"figure-{name}\">{}<figcaption>{caption}</figcaption></figure>\n",
                            d.svg
                        ))));
                    } else {
                        out.push(Event::Html(CowStr::from(code_block(&info, &text))));
                    }
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                depth += 1;
                let info = match kind {
                    CodeBlockKind::Fenced(i) => i.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((info, String::new(), line));
            }
            Event::Start(Tag::Heading { level, classes, attrs, .. }) => {
                depth += 1;
                heading_depth += 1;
                if level == HeadingLevel::H1 {
                    diags.push(err(line, "use ## for sections: the chapter title from the front matter is the page's only top-level heading".into()));
                }
                let id = headings.get(next_heading).map(|h| h.id.clone()).unwrap_or_default();
                out.push(Event::Start(Tag::Heading { level, id: Some(CowStr::from(id)), classes, attrs }));
            }
            Event::End(TagEnd::Heading(level)) => {
                depth -= 1;
                heading_depth -= 1;
                if let Some(h) = headings.get(next_heading) {
                    out.push(Event::InlineHtml(CowStr::from(format!(
                        " <a class=\"anchor\" href=\"{}\" aria-label=\"Link to this section: {}\">#</a>",
                        escape(&format!("{base}{}/{}#{}", fm.part, fm.slug, h.id)),
                        escape(&h.text)
                    ))));
                }
                next_heading += 1;
                out.push(Event::End(TagEnd::Heading(level)));
            }
            Event::End(TagEnd::Link) => {
                depth -= 1;
                link_depth -= 1;
                out.push(Event::End(TagEnd::Link));
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                depth += 1;
                link_depth += 1;
                let dest = dest_url.to_string();
                let rewritten = if dest.starts_with("https://") || dest.starts_with("http://") || dest.starts_with("mailto:") {
                    dest
                } else if let Some(anchor) = dest.strip_prefix('#') {
                    links.push(Link { target: format!("{here}#{anchor}"), line });
                    format!("{base}{}/{}#{anchor}", fm.part, fm.slug)
                } else if let Some(path) = dest.strip_prefix('/') {
                    links.push(Link { target: dest.clone(), line });
                    format!("{base}{path}")
                } else {
                    diags.push(err(line, format!("link \"{dest}\" is relative; write internal links from the root, like /databases/indexes#b-trees")));
                    dest
                };
                out.push(Event::Start(Tag::Link { link_type, dest_url: CowStr::from(rewritten), title, id }));
            }
            Event::Start(Tag::Image { .. }) => {
                depth += 1;
                diags.push(err(line, "images are not supported yet: draw with a diagram or widget instead".into()));
            }
            Event::End(TagEnd::Image) => depth -= 1,
            Event::Html(h) | Event::InlineHtml(h) => {
                let already = diags.last().is_some_and(|d| d.file == file && d.line == line && d.message.starts_with("raw HTML"));
                if !h.trim_start().starts_with("<!--") && !h.trim().is_empty() && !already {
                    diags.push(err(line, format!("raw HTML is not allowed in content (found \"{}\"); use Markdown or a widget directive", h.trim().chars().take(40).collect::<String>())));
                }
            }
            Event::Start(Tag::Table(a)) => {
                depth += 1;
                out.push(Event::Html(CowStr::from("<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Table\">")));
                out.push(Event::Start(Tag::Table(a)));
            }
            Event::End(TagEnd::Table) => {
                depth -= 1;
                out.push(Event::End(TagEnd::Table));
                out.push(Event::Html(CowStr::from("</div>\n")));
            }
            Event::Text(t) => {
                words += t.split_whitespace().count();
                if let Some(g) = cx.glossary {
                    for a in glossary::acronyms(&t) {
                        if !g.knows_acronym(a) && unknown_acronyms.insert(a.to_string()) {
                            diags.push(err(line, format!("\"{a}\" is not in the glossary: define it in content/glossary.json, or list it under \"plain\" if it is an ordinary word")));
                        }
                    }
                }
                if heading_depth > 0 || link_depth > 0 || terms.is_empty() {
                    out.push(Event::Text(t));
                    continue;
                }
                let mut rest: &str = &t;
                while let Some((s, e, ti)) = glossary::first_use(rest, terms, &|i| linked.contains(&i)) {
                    linked.insert(ti);
                    out.push(Event::Text(CowStr::from(rest[..s].to_string())));
                    // The definition sits beside the link, shown on hover or focus (see the
                    // stylesheet) and read by screen readers as the link's description.
                    let t = &terms[ti];
                    out.push(Event::InlineHtml(CowStr::from(format!(
                        "<a class=\"term\" href=\"{base}{}/{}#{id}\" aria-describedby=\"tip-{id}\">{}</a><span class=\"term-tip\" role=\"tooltip\" id=\"tip-{id}\"><strong>{}</strong>: {}</span>",
                        glossary::ROUTE.0,
                        glossary::ROUTE.1,
                        escape(&rest[s..e]),
                        escape(&t.term),
                        escape(&t.tip),
                        id = t.id,
                    ))));
                    rest = &rest[e..];
                }
                out.push(Event::Text(CowStr::from(rest.to_string())));
            }
            Event::Start(tag) => {
                depth += 1;
                out.push(Event::Start(tag));
            }
            Event::End(tag) => {
                depth = depth.saturating_sub(1);
                out.push(Event::End(tag));
            }
            other => out.push(other),
        }
    }
    flush(&mut out, &mut segments);
    Page { words, headings, segments, links, terms: linked, checks, diagrams: figures }
}

/// Renders a short piece of Markdown (a caption, a question, an answer): formatting only,
/// no links, images or HTML.
fn inline_md(text: &str, line: usize, report: &mut dyn FnMut(usize, String)) -> String {
    let mut ok = Vec::new();
    for e in Parser::new_ext(text, markdown_options()) {
        match e {
            Event::Html(_) | Event::InlineHtml(_) | Event::Start(Tag::Image { .. }) | Event::Start(Tag::Link { .. }) => {
                report(line, "captions, questions and answers take plain Markdown formatting only: no links, images or HTML".into());
                return String::new();
            }
            e => ok.push(e),
        }
    }
    let mut s = String::new();
    html::push_html(&mut s, ok.into_iter());
    s
}

/// A self-check block: 3–5 questions, each `Q:` then `A:` then `See:` (a heading anchor in
/// this chapter, `#id`, or anywhere, `/part/slug#id`). Lines that start with none of these
/// continue the one before. Returns the HTML, the question count and the links to check.
fn self_check(text: &str, start: usize, here: &str, base: &str, report: &mut dyn FnMut(usize, String)) -> (String, usize, Vec<Link>) {
    struct Item {
        line: usize,
        q: String,
        a: String,
        see: String,
    }
    let mut items: Vec<Item> = Vec::new();
    let mut field = ' ';
    for (i, raw) in text.lines().enumerate() {
        let line = start + 1 + i;
        let l = raw.trim();
        if l.is_empty() {
            continue;
        }
        let (key, value) = match l.split_once(':') {
            Some((k @ ("Q" | "A" | "See"), v)) => (k, v.trim()),
            _ => ("", l),
        };
        match key {
            "Q" => {
                items.push(Item { line, q: value.into(), a: String::new(), see: String::new() });
                field = 'q';
            }
            "A" | "See" if items.is_empty() => report(line, "a self-check starts with a question: `Q: …`".into()),
            "A" => {
                field = 'a';
                items.last_mut().map(|it| it.a = value.into());
            }
            "See" => {
                field = 's';
                items.last_mut().map(|it| it.see = value.into());
            }
            _ => match (field, items.last_mut()) {
                ('q', Some(it)) => {
                    it.q.push(' ');
                    it.q.push_str(value);
                }
                ('a', Some(it)) => {
                    it.a.push(' ');
                    it.a.push_str(value);
                }
                _ => report(line, "expected a line starting with `Q:`, `A:` or `See:`".into()),
            },
        }
    }
    if !(3..=5).contains(&items.len()) {
        report(start, format!("a self-check has 3 to 5 questions, not {}", items.len()));
    }
    let mut html = String::from("<ol class=\"self-check\">\n");
    let mut links = Vec::new();
    for it in &items {
        if it.a.is_empty() || it.see.is_empty() {
            report(it.line, "each question needs an answer (`A: …`) and the section that explains it (`See: #anchor` or `See: /part/chapter#anchor`)".into());
            continue;
        }
        let target = if let Some(a) = it.see.strip_prefix('#') {
            format!("{here}#{a}")
        } else if it.see.starts_with('/') {
            it.see.clone()
        } else {
            report(it.line, format!("See: \"{}\" must be #anchor or /part/chapter#anchor", it.see));
            continue;
        };
        links.push(Link { target: target.clone(), line: it.line });
        let q = inline_md(&it.q, it.line, report);
        let a = inline_md(&it.a, it.line, report);
        html.push_str(&format!(
            "<li><div class=\"q\">{q}</div><details><summary>Show the answer</summary><div class=\"a\">{a}<p class=\"see\">Explained in <a href=\"{}\">{SEE_MARK}{}--></a></p></div></details></li>\n",
            escape(&format!("{base}{}", target.trim_start_matches('/'))),
            escape(&target)
        ));
    }
    html.push_str("</ol>\n");
    (html, items.len(), links)
}

fn flush(out: &mut Vec<Event>, segments: &mut Vec<Segment>) {
    if out.is_empty() {
        return;
    }
    let mut s = String::new();
    html::push_html(&mut s, out.drain(..));
    segments.push(Segment::Html(s));
}

/// The text and anchor of every heading, in order. Anchors are unique within the chapter.
fn collect_headings(events: &[(Event, std::ops::Range<usize>)]) -> Vec<Heading> {
    let mut out: Vec<Heading> = Vec::new();
    let mut current: Option<(u8, Option<String>, String)> = None;
    for (e, _) in events {
        match e {
            Event::Start(Tag::Heading { level, id, .. }) => current = Some((*level as u8, id.as_ref().map(|i| i.to_string()), String::new())),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, text)) = current.as_mut() {
                    text.push_str(t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, explicit, text)) = current.take() {
                    let stem = explicit.unwrap_or_else(|| slugify(&text));
                    let mut id = stem.clone();
                    let mut n = 2;
                    while out.iter().any(|h| h.id == id) {
                        id = format!("{stem}-{n}");
                        n += 1;
                    }
                    out.push(Heading { level, id, text });
                }
            }
            _ => {}
        }
    }
    out
}

/// Checks a widget directive against the catalog: the id must exist and the body must be a
/// JSON object of known settings with valid values.
fn directive(id: &str, body: &str, line: usize, report: &mut dyn FnMut(usize, String)) -> Option<WidgetPlacement> {
    let Some(spec) = catalog::find(id) else {
        let known: Vec<&str> = catalog::WIDGETS.iter().map(|w| w.id).collect();
        report(line, format!("unknown widget \"{id}\"; known widgets: {}", known.join(", ")));
        return None;
    };
    let value: serde_json::Value = if body.trim().is_empty() {
        serde_json::Value::Object(Default::default())
    } else {
        match serde_json::from_str(body) {
            Ok(v) => v,
            Err(e) => {
                report(line + e.line(), format!("widget \"{id}\": its configuration is not valid JSON: {e}"));
                return None;
            }
        }
    };
    let Some(map) = value.as_object() else {
        report(line + 1, format!("widget \"{id}\": its configuration must be a JSON object, like {{\"step\": 3}}"));
        return None;
    };
    let mut instance = id.to_string();
    let mut settings = Vec::new();
    let mut ok = true;
    for (key, v) in map {
        let raw = match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            _ => {
                report(line + 1, format!("widget \"{id}\": setting \"{key}\" must be a string, number or boolean"));
                ok = false;
                continue;
            }
        };
        if key == "instance" {
            if super::frontmatter::is_slug(&raw) {
                instance = raw;
            } else {
                report(line + 1, format!("widget \"{id}\": instance \"{raw}\" must be lowercase letters, digits and hyphens"));
                ok = false;
            }
            continue;
        }
        match spec.param(key) {
            None => {
                report(line + 1, format!("widget \"{id}\": unknown setting \"{key}\"; its settings are: {}", spec.keys().join(", ")));
                ok = false;
            }
            Some(p) => match p.parse(&raw) {
                Ok(_) => settings.push((key.clone(), raw)),
                Err(why) => {
                    report(line + 1, format!("widget \"{id}\": setting \"{key}\": {why}"));
                    ok = false;
                }
            },
        }
    }
    ok.then_some(WidgetPlacement { widget: id.to_string(), instance, settings })
}
