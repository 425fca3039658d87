//! The whole guide on one page, for reading offline in one go and for printing: every
//! chapter in order under its part, each widget as its storyboard (`storyboard.rs`). Ids
//! get the chapter as a prefix so they stay unique, and links between chapters become
//! links within the page, so they also work in a saved PDF.

use super::{escape, storyboard};
use crate::book::{self, Segment, CHAPTERS, PARTS};

/// The anchor of a chapter on the print page.
pub fn chapter_anchor(part: &str, slug: &str) -> String {
    format!("ch-{part}-{slug}")
}

pub(super) fn prefix(part: &str, slug: &str) -> String {
    format!("{part}-{slug}--")
}

/// A guide link (`BASE part/slug` with an optional `#id`) as an in-page anchor.
fn local_link(href: &str) -> Option<String> {
    let path = href.strip_prefix(book::BASE)?;
    let (page, id) = path.split_once('#').unwrap_or((path, ""));
    let (part, slug) = page.trim_end_matches('/').split_once('/')?;
    CHAPTERS.iter().any(|c| c.part == part && c.slug == slug).then(|| if id.is_empty() { format!("#{}", chapter_anchor(part, slug)) } else { format!("#{}{id}", prefix(part, slug)) })
}

/// Rewrites one chapter's HTML for the print page: ids and the attributes that point at
/// them get the chapter's prefix, guide links become in-page links, and headings move two
/// levels down (the page has the book's title, parts and chapters above them).
pub fn rewrite(html: &str, part: &str, slug: &str) -> String {
    let p = prefix(part, slug);
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut rest = html;
    const ATTRS: [&str; 4] = [" id=\"", " aria-describedby=\"", " aria-labelledby=\"", " href=\""];
    loop {
        let next = ATTRS.iter().filter_map(|a| rest.find(a).map(|i| (i, *a))).min();
        let Some((i, attr)) = next else { break };
        let start = i + attr.len();
        let Some(len) = rest[start..].find('"') else { break };
        let value = &rest[start..start + len];
        out.push_str(&rest[..start]);
        let new = match attr {
            " href=\"" => match value.strip_prefix('#') {
                Some(id) => format!("#{p}{id}"),
                None => local_link(value).unwrap_or_else(|| value.to_string()),
            },
            " id=\"" => format!("{p}{value}"),
            _ => value.split_whitespace().map(|v| format!("{p}{v}")).collect::<Vec<_>>().join(" "),
        };
        out.push_str(&new);
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    let mut s = out;
    for (from, to) in [("h4", "h6"), ("h3", "h5"), ("h2", "h4")] {
        s = s.replace(&format!("<{from} "), &format!("<{to} ")).replace(&format!("<{from}>"), &format!("<{to}>")).replace(&format!("</{from}>"), &format!("</{to}>"));
    }
    s
}

/// The print page's `main`.
pub fn main_html() -> String {
    let mut toc = String::from("<nav class=\"print-toc\" aria-labelledby=\"print-contents\"><h2 id=\"print-contents\">Contents</h2><ol>");
    let mut body = String::new();
    for part in PARTS {
        let chapters: Vec<_> = CHAPTERS.iter().filter(|c| c.part == part.slug).collect();
        if chapters.is_empty() {
            continue;
        }
        let label = if part.slug == "reference" { part.title.to_string() } else { format!("Part {} · {}", part.number, part.title) };
        toc.push_str(&format!("<li><a href=\"#part-{}\">{}</a><ol>", escape(part.slug), escape(&label)));
        body.push_str(&format!("<section class=\"print-part\" id=\"part-{}\" aria-labelledby=\"part-{0}-title\"><h2 class=\"print-part-title\" id=\"part-{0}-title\">{}</h2>\n", escape(part.slug), escape(&label)));
        for ch in chapters {
            let anchor = chapter_anchor(ch.part, ch.slug);
            toc.push_str(&format!("<li><a href=\"#{}\">{}</a></li>", escape(&anchor), escape(ch.title)));
            body.push_str(&format!(
                "<section class=\"print-chapter\" id=\"{}\" data-testid=\"print-chapter\"><h3 class=\"print-chapter-title\">{}</h3>\n<p class=\"summary\">{}</p>\n",
                escape(&anchor),
                escape(ch.title),
                escape(ch.summary)
            ));
            for s in ch.segments {
                match s {
                    Segment::Html(html) => body.push_str(&format!("<div class=\"prose\">{}</div>\n", rewrite(html, ch.part, ch.slug))),
                    Segment::Widget(w) => body.push_str(&storyboard::render(w, &format!("{}widget-{}", prefix(ch.part, ch.slug), w.instance))),
                }
            }
            body.push_str("</section>\n");
        }
        toc.push_str("</ol></li>");
        body.push_str("</section>\n");
    }
    toc.push_str("</ol></nav>\n");
    format!(
        "<article class=\"print-book\" data-testid=\"print-book\">\n<h1>How web applications work: the whole guide</h1>\n<p class=\"lede\">Every chapter of techbasics on one page, for reading in one sitting or printing (your browser's Print command saves it as a PDF too). Each interactive widget appears as a storyboard: a few key frames drawn by its engine, and the transcript of every step.</p>\n{toc}{body}</article>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_references_and_guide_links_are_made_local() {
        let html = "<h2 id=\"a\">A <a class=\"anchor\" href=\"/databases/indexes#a\">#</a></h2><p><a class=\"term\" href=\"/reference/glossary#table\" aria-describedby=\"tip-table\">t</a><span id=\"tip-table\">d</span> <a href=\"https://example.org/\">x</a> <a href=\"/apis/json\">j</a></p><svg aria-labelledby=\"d-t d-d\"></svg>";
        let base = book::BASE;
        let html = html.replace("href=\"/", &format!("href=\"{base}"));
        let out = rewrite(&html, "databases", "indexes");
        assert!(out.starts_with("<h4 id=\"databases-indexes--a\">"), "{out}");
        assert!(out.contains("href=\"#databases-indexes--a\""));
        assert!(out.contains("href=\"#reference-glossary--table\" aria-describedby=\"databases-indexes--tip-table\""));
        assert!(out.contains("id=\"databases-indexes--tip-table\""));
        assert!(out.contains("href=\"https://example.org/\""));
        assert!(out.contains("href=\"#ch-apis-json\""));
        assert!(out.contains("aria-labelledby=\"databases-indexes--d-t databases-indexes--d-d\""));
        assert!(out.ends_with("</svg>"));
    }

    #[test]
    fn the_page_holds_every_chapter_and_its_ids_are_unique() {
        let html = main_html();
        for ch in CHAPTERS {
            assert!(html.contains(&format!("<h3 class=\"print-chapter-title\">{}</h3>", escape(ch.title))), "{}", ch.title);
        }
        let mut ids: Vec<&str> = html.match_indices(" id=\"").map(|(i, _)| &html[i + 5..i + 5 + html[i + 5..].find('"').unwrap()]).collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "ids are unique");
        // Every in-page link lands on an id.
        for (i, _) in html.match_indices(" href=\"#") {
            let target = &html[i + 8..i + 8 + html[i + 8..].find('"').unwrap()];
            assert!(ids.binary_search(&target).is_ok(), "#{target} exists");
        }
    }
}
