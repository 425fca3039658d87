//! Markdown to HTML segments for one chapter: heading anchors, highlighted code, checked
//! links, and widget directives split out so the app can mount live widgets between the
//! HTML segments.

use std::collections::HashSet;

use pulldown_cmark::{html, CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::frontmatter::FrontMatter;
use super::highlight::{code_block, escape};
use super::Diagnostic;
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
}

/// The fence tag that marks a widget directive: ```` ```widget ID ````.
pub const DIRECTIVE: &str = "widget";

pub fn render(file: &str, body: &str, body_line: usize, fm: &FrontMatter, base: &str, diags: &mut Vec<Diagnostic>) -> Page {
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
                if level == HeadingLevel::H1 {
                    diags.push(err(line, "use ## for sections: the chapter title from the front matter is the page's only top-level heading".into()));
                }
                let id = headings.get(next_heading).map(|h| h.id.clone()).unwrap_or_default();
                out.push(Event::Start(Tag::Heading { level, id: Some(CowStr::from(id)), classes, attrs }));
            }
            Event::End(TagEnd::Heading(level)) => {
                depth -= 1;
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
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                depth += 1;
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
                out.push(Event::Text(t));
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
    Page { words, headings, segments, links }
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

pub fn slugify(text: &str) -> String {
    let mut s = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            s.push(c);
        } else if (c.is_whitespace() || c == '-') && !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    let s = s.trim_end_matches('-').to_string();
    if s.is_empty() {
        "section".into()
    } else {
        s
    }
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
