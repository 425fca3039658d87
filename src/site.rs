//! The static site: one complete HTML page per route, written after Trunk's build by
//! `src/bin/prerender.rs`. Each page carries the shell (header, table of contents, footer),
//! the chapter's full text and a placeholder where each widget mounts, so it reads with
//! JavaScript off and paints before the wasm arrives. The wasm then only mounts widgets and
//! wires the shell's controls.
//!
//! Pure string building over the book's statics; no browser APIs.

use crate::book::{self, Chapter, Segment, CHAPTERS, PARTS};

pub const SITE: &str = "techbasics";
const LANDING_DESCRIPTION: &str = "An interactive guide to how web applications work: DNS, HTTP, APIs, databases, indexes, transactions, retries, caching, CDNs, deployment and scaling, with live widgets running real engines.";
/// Where the head and body go in Trunk's index.html.
pub const HEAD_MARK: &str = "<!--techbasics:head-->";
pub const BODY_MARK: &str = "<!--techbasics:body-->";

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One page to write: its path under dist/ and its HTML.
#[derive(Debug)]
pub struct Page {
    pub path: String,
    pub html: String,
}

fn head(title: &str, description: &str) -> String {
    let (t, d) = (escape(title), escape(description));
    format!(
        "<title>{t}</title>\n  <meta name=\"description\" content=\"{d}\">\n  <meta property=\"og:title\" content=\"{t}\">\n  <meta property=\"og:description\" content=\"{d}\">\n  <meta property=\"og:type\" content=\"article\">\n  <meta property=\"og:site_name\" content=\"{SITE}\">\n  <meta name=\"twitter:card\" content=\"summary\">"
    )
}

/// The shell around `main`: skip link, progress bar, header, contents, footer. `current`
/// is the href of the chapter to mark in the contents.
fn shell(main: &str, current: Option<&str>) -> String {
    let mut toc = book::TOC_HTML.to_string();
    if let Some(href) = current {
        let needle = format!("<a href=\"{}\">", escape(href));
        toc = toc.replacen(&needle, &format!("<a href=\"{}\" aria-current=\"page\">", escape(href)), 1);
    }
    format!(
        r##"<a class="skip-link" href="#main">Skip to content</a>
<div class="progress" role="progressbar" aria-label="Reading progress" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0"><div class="progress-bar"></div></div>
<header class="site-header">
  <button class="menu-toggle" aria-controls="toc" aria-expanded="false"><span aria-hidden="true">☰</span> Contents</button>
  <a class="brand" href="{base}">{SITE}</a>
  <label class="theme-picker"><span class="visually-hidden">Colour theme</span><select data-testid="theme"><option value="system">Auto</option><option value="light">Light</option><option value="dark">Dark</option></select></label>
</header>
<div class="layout">
  <nav id="toc" class="toc" aria-label="Table of contents">{toc}</nav>
  <main id="main" tabindex="-1">{main}</main>
</div>
<footer class="site-footer"><p>{SITE}: how web applications work, with every widget running a real engine in your browser. Nothing you do here leaves your device.</p></footer>"##,
        base = escape(book::BASE),
    )
}

fn page(template: &str, title: &str, description: &str, body: String) -> Result<String, String> {
    if !template.contains(HEAD_MARK) || !template.contains(BODY_MARK) {
        return Err(format!("the page template lacks {HEAD_MARK} or {BODY_MARK}: prerender runs on a fresh `trunk build` output"));
    }
    Ok(template.replacen(HEAD_MARK, &head(title, description), 1).replacen(BODY_MARK, &body, 1))
}

fn landing(template: &str) -> Result<String, String> {
    let words: u32 = CHAPTERS.iter().map(|c| c.words).sum();
    let minutes: u32 = CHAPTERS.iter().map(|c| c.minutes).sum();
    let first = CHAPTERS.first().map(Chapter::href).unwrap_or_else(|| book::BASE.to_string());
    let main = format!(
        r#"<article class="landing">
<h1>How web applications work</h1>
<p class="lede">From the moment you type an address to a system serving millions: DNS and HTTP, APIs, databases and their indexes, transactions, retries, caches, CDNs, deployment and scaling. Every diagram that moves is a real engine running in your browser, which you can step forward and back and share at any moment.</p>
<p><a class="button" href="{first}" data-testid="start-reading">Start reading</a><span class="meta"> {parts} parts · {chapters} chapters · about {minutes} minutes ({words} words)</span></p>
<h2>What the guide covers</h2>
<ol class="part-cards">{cards}</ol>
</article>"#,
        first = escape(&first),
        parts = PARTS.len(),
        chapters = CHAPTERS.len(),
        cards = book::PART_CARDS_HTML,
    );
    page(template, &format!("{SITE}: how web applications work"), LANDING_DESCRIPTION, shell(&main, None))
}

fn chapter(template: &str, index: usize, ch: &Chapter) -> Result<String, String> {
    let mut main = format!("<article class=\"chapter\" data-chapter=\"{}/{}\">\n", escape(ch.part), escape(ch.slug));
    if let Some(p) = ch.part() {
        main.push_str(&format!("<p class=\"eyebrow\">Part {} · {}</p>\n", p.number, escape(p.title)));
    }
    main.push_str(&format!("<h1>{}</h1>\n<p class=\"meta\">{} min read · {} words</p>\n<p class=\"summary\">{}</p>\n", escape(ch.title), ch.minutes, ch.words, escape(ch.summary)));
    let sections: Vec<_> = ch.headings.iter().filter(|h| h.level == 2).collect();
    if !sections.is_empty() {
        main.push_str("<nav class=\"on-this-page\" aria-label=\"On this page\"><h2 class=\"visually-hidden\">On this page</h2><ol>");
        for h in sections {
            main.push_str(&format!("<li><a href=\"{}#{}\">{}</a></li>", escape(&ch.href()), escape(h.id), escape(h.text)));
        }
        main.push_str("</ol></nav>\n");
    }
    for s in ch.segments {
        match s {
            Segment::Html(html) => main.push_str(&format!("<div class=\"prose\">{html}</div>\n")),
            Segment::Widget(w) => {
                let title = crate::kit::catalog::find(w.widget).map_or(w.widget, |s| s.title);
                main.push_str(&format!(
                    "<div class=\"widget-mount\" data-mount=\"{}\" data-for=\"{}\"><p class=\"widget-fallback\">The interactive {} runs here once the page's WebAssembly has loaded; it needs JavaScript.</p></div>\n",
                    escape(w.instance),
                    escape(w.widget),
                    escape(&title.to_lowercase())
                ));
            }
        }
    }
    main.push_str("<nav class=\"pager\" aria-label=\"Chapters\">");
    if let Some(c) = index.checked_sub(1).and_then(|i| CHAPTERS.get(i)) {
        main.push_str(&format!("<a class=\"pager-prev\" rel=\"prev\" data-nav=\"prev\" href=\"{}\"><span class=\"pager-dir\">← Previous</span><span>{}</span></a>", escape(&c.href()), escape(c.title)));
    }
    if let Some(c) = CHAPTERS.get(index + 1) {
        main.push_str(&format!("<a class=\"pager-next\" rel=\"next\" data-nav=\"next\" href=\"{}\"><span class=\"pager-dir\">Next →</span><span>{}</span></a>", escape(&c.href()), escape(c.title)));
    }
    main.push_str("</nav>\n</article>");
    page(template, &format!("{} · {SITE}", ch.title), ch.summary, shell(&main, Some(&ch.href())))
}

fn not_found(template: &str) -> Result<String, String> {
    let main = format!(
        r#"<article class="not-found" data-testid="not-found">
<h1>Page not found</h1>
<p>There is no page at this address. It may have moved, or the link may have a typo.</p>
<p><a href="{}">Go to the start of the guide</a> or pick a part from the contents.</p>
</article>"#,
        escape(book::BASE)
    );
    page(template, &format!("Page not found · {SITE}"), LANDING_DESCRIPTION, shell(&main, None))
}

/// Every page of the site from Trunk's index.html: the landing page, one page per chapter
/// (as `part/slug/index.html`, so every route is a real file) and 404.html.
pub fn pages(template: &str) -> Result<Vec<Page>, String> {
    let mut out = vec![Page { path: "index.html".into(), html: landing(template)? }, Page { path: "404.html".into(), html: not_found(template)? }];
    for (i, ch) in CHAPTERS.iter().enumerate() {
        out.push(Page { path: format!("{}/{}/index.html", ch.part, ch.slug), html: chapter(template, i, ch)? });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "<html><head><!--techbasics:head--></head><body><!--techbasics:body--></body></html>";

    #[test]
    fn every_route_gets_a_page_with_its_title_text_and_mount_points() {
        let pages = pages(T).unwrap();
        assert_eq!(pages.len(), CHAPTERS.len() + 2);
        for (ch, p) in CHAPTERS.iter().zip(&pages[2..]) {
            assert_eq!(p.path, format!("{}/{}/index.html", ch.part, ch.slug));
            assert!(p.html.contains(&format!("<h1>{}</h1>", escape(ch.title))));
            assert!(p.html.contains(&format!("<title>{} · {SITE}</title>", escape(ch.title))));
            assert_eq!(p.html.matches("aria-current=\"page\"").count(), 1, "{}: the contents mark this chapter", p.path);
            for s in ch.segments {
                if let Segment::Widget(w) = s {
                    assert!(p.html.contains(&format!("data-mount=\"{}\"", w.instance)));
                    assert!(book::placement(&format!("{}/{}", ch.part, ch.slug), w.instance).is_some());
                }
            }
        }
        assert!(pages[1].html.contains("data-testid=\"not-found\""));
        assert!(!pages.iter().any(|p| p.html.contains(HEAD_MARK) || p.html.contains(BODY_MARK)));
    }

    #[test]
    fn a_template_without_marks_is_refused() {
        assert!(pages("<html></html>").unwrap_err().contains("trunk build"));
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }
}
