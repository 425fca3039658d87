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

pub use crate::kit::scene::escape;

pub mod manifest;
pub mod print;
pub mod search;
pub mod storyboard;

/// The path the site is served under, from `TECHBASICS_BASE`: `guide`, `/guide` and `/guide/`
/// all become `/guide/`; empty becomes `/`.
pub fn normalize_base(raw: &str) -> String {
    let inner = raw.trim().trim_matches('/');
    if inner.is_empty() {
        "/".into()
    } else {
        format!("/{inner}/")
    }
}

/// A file as it is written: the build's base mark ([`book::BASE`], which Trunk's
/// `--public-url` also carries) becomes the real base. Done once, as each file is written, so
/// the compiled site and its wasm are the same for every base.
pub fn with_base(body: &str, base: &str) -> String {
    body.replace(book::BASE, base)
}

/// One page to write: its path under dist/ and its HTML.
#[derive(Debug)]
pub struct Page {
    pub path: String,
    pub html: String,
}

/// Build-time settings for the static site.
#[derive(Clone, Debug)]
pub struct Build {
    /// The origin the site is served from, like `https://guide.example.org`, for canonical
    /// URLs and the sitemap. The path under it is the book's base.
    pub site_url: String,
}

impl Build {
    /// The absolute URL of a path under the base (`""` for the landing page).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}{}", self.site_url.trim_end_matches('/'), book::BASE, path)
    }
}

fn head(b: &Build, title: &str, description: &str, path: Option<&str>) -> String {
    let (t, d) = (escape(title), escape(description));
    let mut h = format!(
        "<title>{t}</title>\n  <meta name=\"description\" content=\"{d}\">\n  <meta property=\"og:title\" content=\"{t}\">\n  <meta property=\"og:description\" content=\"{d}\">\n  <meta property=\"og:type\" content=\"article\">\n  <meta property=\"og:site_name\" content=\"{SITE}\">\n  <meta name=\"twitter:card\" content=\"summary\">"
    );
    if let Some(p) = path {
        let u = escape(&b.url(p));
        h.push_str(&format!("\n  <link rel=\"canonical\" href=\"{u}\">\n  <meta property=\"og:url\" content=\"{u}\">"));
    }
    h
}

/// The shell around `main`: skip link, progress bar, header, contents, footer. `current`
/// is the href of the chapter to mark in the contents.
fn shell(t: &Template, main: &str, current: Option<&str>) -> String {
    let mut toc = book::TOC_HTML.to_string();
    if let Some(href) = current {
        let needle = format!("<a href=\"{}\">", escape(href));
        toc = toc.replacen(&needle, &format!("<a href=\"{}\" aria-current=\"page\">", escape(href)), 1);
    }
    format!(
        r##"<a class="skip-link" href="#main">Skip to content</a>
<div class="progress" role="progressbar" aria-label="Reading progress" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0"><div class="progress-bar"></div></div>
<header class="site-header">
  <button class="menu-toggle" aria-controls="toc" aria-expanded="false"><span aria-hidden="true">☰</span> <span class="narrow-hide">Contents</span></button>
  <a class="brand" href="{base}">{SITE}</a>
  <button class="search-open" type="button" aria-haspopup="dialog" aria-controls="search" aria-keyshortcuts="/ s" data-testid="search-open"><span aria-hidden="true">⌕</span> <span class="narrow-hide">Search</span> <kbd aria-hidden="true">/</kbd></button>
  <label class="theme-picker"><span class="visually-hidden">Colour theme</span><select data-testid="theme"><option value="system">Auto</option><option value="light">Light</option><option value="dark">Dark</option></select></label>
</header>
<div class="layout">
  <nav id="toc" class="toc" aria-label="Table of contents">{toc}</nav>
  <main id="main" tabindex="-1">{main}</main>
</div>
<footer class="site-footer"><p>{SITE}: how web applications work, with every widget running a real engine in your browser. Nothing you do here leaves your device. <a href="{base}print/">The whole guide on one page, for printing</a>.</p></footer>
<dialog class="search" id="search" aria-labelledby="search-title" data-index="{index}"{code} data-testid="search"><div class="search-panel">
  <div class="search-bar" role="search">
    <h2 id="search-title" class="visually-hidden">Search the guide</h2>
    <label class="visually-hidden" for="search-input">Search the guide</label>
    <input id="search-input" type="search" autocomplete="off" spellcheck="false" maxlength="200" placeholder="Search the guide" aria-describedby="search-status" aria-controls="search-results" data-testid="search-input">
    <button class="search-close" type="button" data-testid="search-close">Close</button>
  </div>
  <p id="search-status" class="search-status" role="status" aria-live="polite">Type a word or two. Up and down arrows move between results.</p>
  <ol id="search-results" class="search-results" aria-label="Results" data-testid="search-results"></ol>
</div></dialog>"##,
        base = escape(book::BASE),
        index = escape(&search::index_url(&t.search.0)),
        code = t
            .bundles
            .iter()
            .find(|b| b.widgets == ["search"])
            .map(|b| format!(" data-search-js=\"{0}{1}\" data-search-wasm=\"{0}{2}\"", escape(book::BASE), escape(&b.js), escape(&b.wasm)))
            .unwrap_or_default(),
    )
}

/// A page from the template. `widgets` are the ids of the widgets it shows: their bundles
/// are preloaded in the head, where the loader (js/boot-tail.js) finds and starts them.
fn page(t: &Template, title: &str, description: &str, path: Option<&str>, widgets: &[&str], body: String) -> String {
    page_from(&t.html, t, title, description, path, widgets, body)
}

/// A page from `html`: the shell's template, or the embeds' (`Template::embed_html`).
fn page_from(html: &str, t: &Template, title: &str, description: &str, path: Option<&str>, widgets: &[&str], body: String) -> String {
    let mut head = head(&t.build, title, description, path);
    for b in t.bundles_for(widgets) {
        head.push_str(&format!(
            "\n  <link rel=\"modulepreload\" href=\"{base}{js}\" data-bundle-wasm=\"{base}{wasm}\" data-widgets=\"{ids}\">",
            base = escape(book::BASE),
            js = escape(&b.js),
            wasm = escape(&b.wasm),
            ids = escape(&b.widgets.join(" ")),
        ));
    }
    html.replacen(HEAD_MARK, &head, 1).replacen(BODY_MARK, &body, 1)
}

/// One widget bundle from `bundles/manifest.tsv` (written by scripts/bundles.sh): the
/// widgets it holds and its files, relative to dist/.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    pub widgets: Vec<String>,
    pub js: String,
    pub wasm: String,
}

/// Reads the manifest: one line per bundle, `ids<TAB>script<TAB>wasm`, where `ids` joins
/// the widget ids with `+`.
pub fn parse_manifest(text: &str) -> Result<Vec<Bundle>, String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| match l.split('\t').collect::<Vec<_>>().as_slice() {
            [ids, js, wasm] => Ok(Bundle { widgets: ids.split('+').map(str::to_string).collect(), js: js.to_string(), wasm: wasm.to_string() }),
            _ => Err(format!("bundles/manifest.tsv: expected `ids<TAB>script<TAB>wasm`, got {l:?}")),
        })
        .collect()
}

/// Trunk's index.html made ready to be every page's template: its inline loader moved out to
/// a file (so a Content-Security-Policy can forbid inline scripts), the base path on `<html>`.
pub struct Template {
    pub html: String,
    pub build: Build,
    /// The loader's file name and content (`boot-HASH.js`).
    pub boot: (String, String),
    /// The template of embed pages (`data-embed` on `<html>`): no shell, so neither the
    /// shell's wasm nor its preloads, and a loader (`boot-embed-HASH.js`) that only starts
    /// the widget's bundle.
    pub embed_html: String,
    pub boot_embed: (String, String),
    pub bundles: Vec<Bundle>,
    /// The search index's file name and content (`search-HASH.txt`).
    pub search: (String, String),
}

/// FNV-1a, 64 bits: a stable content hash for file names and the cache version.
pub fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

const BOOT_TAIL: &str = include_str!("../../js/boot-tail.js");

impl Template {
    /// The bundles a page showing `widgets` loads: one bundle holding exactly that set if the
    /// build made one (pages with two widgets share one copy of the runtime that way), else
    /// each widget's own bundle.
    pub fn bundles_for(&self, widgets: &[&str]) -> Vec<&Bundle> {
        let mut want: Vec<&str> = widgets.to_vec();
        want.sort_unstable();
        want.dedup();
        if want.is_empty() {
            return Vec::new();
        }
        let same = |b: &&Bundle| {
            let mut have: Vec<&str> = b.widgets.iter().map(String::as_str).collect();
            have.sort_unstable();
            have == want
        };
        if let Some(b) = self.bundles.iter().find(same) {
            return vec![b];
        }
        want.iter().filter_map(|w| self.bundles.iter().find(|b| b.widgets.len() == 1 && b.widgets[0] == *w)).collect()
    }

    pub fn new(trunk_html: &str, build: Build, bundles: Vec<Bundle>) -> Result<Template, String> {
        if !trunk_html.contains(HEAD_MARK) || !trunk_html.contains(BODY_MARK) {
            return Err(format!("the page template lacks {HEAD_MARK} or {BODY_MARK}: prerender runs on a fresh `trunk build` output"));
        }
        let open = "<script type=\"module\">";
        let start = trunk_html.find(open).ok_or("no inline module loader found in Trunk's index.html")?;
        let end = start + trunk_html[start..].find("</script>").ok_or("the loader script is not closed")?;
        let loader = &trunk_html[start + open.len()..end];
        let content = format!("{}\n{BOOT_TAIL}", loader.trim());
        let name = format!("boot-{:016x}.js", fnv(content.as_bytes()));
        let tag = format!("<script type=\"module\" src=\"{}{name}\"></script>", book::BASE);
        let mut html = format!("{}{tag}{}", &trunk_html[..start], &trunk_html[end + "</script>".len()..]);
        html = html.replacen("<html lang=\"en\">", &format!("<html lang=\"en\" data-base=\"{}\">", escape(book::BASE)), 1);

        // An embed shows one widget and no shell: it loads neither the shell's script nor
        // its wasm (the files the loader names), only the boot tail that starts bundles.
        let shell_files: Vec<&str> = loader.split('\'').skip(1).step_by(2).filter(|f| f.ends_with(".js") || f.ends_with(".wasm")).collect();
        let embed_name = format!("boot-embed-{:016x}.js", fnv(BOOT_TAIL.as_bytes()));
        let mut embed_html = html
            .replacen(&tag, &format!("<script type=\"module\" src=\"{}{embed_name}\"></script>", book::BASE), 1)
            .replacen("<html lang=\"en\" ", "<html lang=\"en\" data-embed ", 1)
            .replacen("<body>", "<body class=\"embed-body\">", 1);
        for f in &shell_files {
            embed_html = drop_links_to(&embed_html, f);
        }
        Ok(Template { html, build, boot: (name, content), embed_html, boot_embed: (embed_name, BOOT_TAIL.to_string()), bundles, search: search::index_file() })
    }
}

/// `html` without the `<link …>` tags whose href is `file` (Trunk's preloads of the shell).
fn drop_links_to(html: &str, file: &str) -> String {
    let href = format!("href=\"{file}\"");
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<link ") {
        let Some(len) = rest[at..].find('>') else { break };
        let tag = &rest[at..at + len + 1];
        out.push_str(&rest[..at]);
        if !tag.contains(&href) {
            out.push_str(tag);
        }
        rest = &rest[at + len + 1..];
    }
    out.push_str(rest);
    out
}

/// The landing page's picture: a moment of the B-tree widget in the indexes chapter, drawn by
/// its engine when the site is built, in the theme's colours, linking to the live widget.
fn landing_still() -> String {
    const CHAPTER: (&str, &str) = ("databases", "indexes");
    const INSTANCE: &str = "btree-index";
    let key = format!("{}/{}", CHAPTER.0, CHAPTER.1);
    let (Some(p), Some((_, ch))) = (book::placement(&key, INSTANCE), book::chapter(CHAPTER.0, CHAPTER.1)) else { return String::new() };
    let Some(entry) = crate::kit::widget::entry(p.widget) else { return String::new() };
    let board = (entry.board)(p);
    // The middle key frame: the tree part-built, mid-operation.
    let Some((step, narration, scene)) = board.frames.get(board.frames.len() / 2) else { return String::new() };
    format!(
        r#"<figure class="landing-still" data-testid="landing-still"><a href="{href}#{INSTANCE}">{svg}</a><figcaption>Step {step} of {steps} in the <a href="{href}#{INSTANCE}">{title}</a> widget of “{chapter}”, drawn by its engine when this page was built: {narration}</figcaption></figure>"#,
        href = ch.href(),
        svg = scene.to_screen_svg("still"),
        steps = board.transcript.len().saturating_sub(1),
        title = escape(entry.spec.title),
        chapter = escape(ch.title),
        narration = escape(narration),
    )
}

fn landing(template: &Template) -> String {
    let words: u32 = CHAPTERS.iter().map(|c| c.words).sum();
    let minutes: u32 = CHAPTERS.iter().map(|c| c.minutes).sum();
    let first = CHAPTERS.first().map(Chapter::href).unwrap_or_else(|| book::BASE.to_string());
    let main = format!(
        r#"<article class="landing">
<h1>How web applications work</h1>
<p class="lede">From the moment you type an address to a system serving millions: DNS and HTTP, APIs, databases and their indexes, transactions, retries, caches, CDNs, deployment and scaling. Every diagram that moves is a real engine running in your browser, which you can step forward and back and share at any moment.</p>
<p><a class="button" href="{first}" data-testid="start-reading">Start reading</a><span class="meta"> {parts} parts · {chapters} chapters · about {minutes} minutes ({words} words)</span></p>
<p class="continue" data-testid="continue" hidden>Continue where you left off: <a href="{first}"></a></p>
{still}
<h2>What the guide covers</h2>
<ol class="part-cards">{cards}</ol>
<section class="your-progress" aria-labelledby="your-progress" data-testid="progress-panel" hidden>
<h2 id="your-progress">Your progress</h2>
<p data-testid="progress-summary"></p>
<p class="meta">It is kept in this browser only and never sent anywhere. To carry it to another device, export it here and import the file there.</p>
<div class="progress-actions">
<button type="button" data-testid="progress-export">Export progress</button>
<label class="file-button">Import progress<input type="file" accept=".json,application/json" data-testid="progress-import"></label>
<button type="button" data-testid="progress-reset">Reset progress</button>
</div>
<p class="progress-message" role="status" aria-live="polite" data-testid="progress-message"></p>
</section>
<p><a href="{base}print/">Read or print the whole guide on one page</a>.</p>
</article>"#,
        base = escape(book::BASE),
        first = escape(&first),
        // The reference part (glossary, next steps) is not one of the guide's parts.
        parts = PARTS.iter().filter(|p| p.slug != "reference").count(),
        chapters = CHAPTERS.len(),
        cards = book::PART_CARDS_HTML,
        still = landing_still(),
    );
    page(template, &format!("{SITE}: how web applications work"), LANDING_DESCRIPTION, Some(""), &[], shell(template, &main, None))
}

fn chapter(template: &Template, index: usize, ch: &Chapter) -> String {
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
                let entry = crate::kit::widget::entry(w.widget);
                let title = entry.map_or(w.widget, |e| e.spec.title);
                // A variant (the B-tree without its scan panel, the transactions widget's two
                // sessions) has a height of its own; the stylesheet reserves each widget's
                // height so nothing below moves when it mounts.
                let variant = entry.and_then(|e| (e.variant)(w)).map(|v| format!(" data-variant=\"{}\"", escape(v))).unwrap_or_default();
                main.push_str(&format!(
                    "<div class=\"widget-mount\" id=\"widget-{0}\" data-mount=\"{0}\" data-for=\"{1}\"{variant}><p class=\"widget-fallback\">The interactive {2} runs here once the page's WebAssembly has loaded; it needs JavaScript.</p></div>\n",
                    escape(w.instance),
                    escape(w.widget),
                    escape(&title.to_lowercase())
                ));
                // Paper cannot run a widget: a printed chapter points to its storyboard.
                main.push_str(&format!(
                    "<p class=\"print-only widget-print-note\">[The interactive {} stands here. The printable guide, {}, draws it as a storyboard of key frames.]</p>\n",
                    escape(&title.to_lowercase()),
                    escape(&template.build.url(&format!("print/#{}widget-{}", print::prefix(ch.part, ch.slug), w.instance))),
                ));
            }
        }
    }
    main.push_str("<p class=\"chapter-done\" hidden><button type=\"button\" aria-pressed=\"false\" data-testid=\"mark-done\">Mark this chapter as read</button></p>\n");
    main.push_str("<nav class=\"pager\" aria-label=\"Chapters\">");
    if let Some(c) = index.checked_sub(1).and_then(|i| CHAPTERS.get(i)) {
        main.push_str(&format!("<a class=\"pager-prev\" rel=\"prev\" data-nav=\"prev\" href=\"{}\"><span class=\"pager-dir\">← Previous</span><span>{}</span></a>", escape(&c.href()), escape(c.title)));
    }
    if let Some(c) = CHAPTERS.get(index + 1) {
        main.push_str(&format!("<a class=\"pager-next\" rel=\"next\" data-nav=\"next\" href=\"{}\"><span class=\"pager-dir\">Next →</span><span>{}</span></a>", escape(&c.href()), escape(c.title)));
    }
    main.push_str("</nav>\n</article>");
    let widgets: Vec<&str> = ch.segments.iter().filter_map(|s| if let Segment::Widget(w) = s { Some(w.widget) } else { None }).collect();
    page(template, &format!("{} · {SITE}", ch.title), ch.summary, Some(&format!("{}/{}/", ch.part, ch.slug)), &widgets, shell(template, &main, Some(&ch.href())))
}

fn not_found(template: &Template) -> String {
    let main = format!(
        r#"<article class="not-found" data-testid="not-found">
<h1>Page not found</h1>
<p>There is no page at this address. It may have moved, or the link may have a typo.</p>
<p><a href="{}">Go to the start of the guide</a> or pick a part from the contents.</p>
</article>"#,
        escape(book::BASE)
    );
    page(template, &format!("Page not found · {SITE}"), LANDING_DESCRIPTION, None, &[], shell(template, &main, None))
}

/// A widget alone, for an iframe: no shell, no storage, the theme from `?theme=`.
fn embed(template: &Template, w: &crate::kit::catalog::WidgetSpec) -> String {
    let main = format!(
        "<main class=\"embed\" id=\"main\" data-chapter=\"embed/{id}\"><div class=\"widget-mount\" data-mount=\"{id}\" data-for=\"{id}\"><p class=\"widget-fallback\">The interactive {title} runs here once its WebAssembly has loaded; it needs JavaScript.</p></div><p class=\"embed-credit meta\">From <a href=\"{home}\" target=\"_blank\" rel=\"noopener\">{SITE}</a>, an interactive guide to how web applications work.</p></main><script src=\"{base}embed-frame.js\" defer></script>",
        id = escape(w.id),
        title = escape(&w.title.to_lowercase()),
        home = escape(&template.build.url("")),
        base = escape(book::BASE),
    );
    let html = page_from(&template.embed_html, template, &format!("{} · {SITE}", w.title), LANDING_DESCRIPTION, Some(&manifest::embed_path(w.id)), &[w.id], main);
    // oEmbed discovery: consumers that find this page can ask for its iframe snippet.
    match crate::kit::widget::entry(w.id) {
        Some(e) => html.replacen("</head>", &format!("  {}\n</head>", manifest::discovery_link(&template.build, e)), 1),
        None => html,
    }
}

/// Every file the prerender step writes into dist/ besides the service worker: the landing
/// page, one page per chapter (as `part/slug/index.html`, so every route is a real file),
/// 404.html, an embed page per widget, the loader, the embed scripts, sitemap.xml,
/// robots.txt and `_headers`.
pub fn pages(template: &Template) -> Vec<Page> {
    let mut out = vec![
        Page { path: "index.html".into(), html: landing(template) },
        Page { path: "404.html".into(), html: not_found(template) },
        Page { path: template.boot.0.clone(), html: template.boot.1.clone() },
        Page { path: template.boot_embed.0.clone(), html: template.boot_embed.1.clone() },
        Page { path: template.search.0.clone(), html: template.search.1.clone() },
        Page { path: "embed.js".into(), html: include_str!("../../js/embed.js").into() },
        Page { path: "embed-frame.js".into(), html: include_str!("../../js/embed-frame.js").into() },
        Page { path: "robots.txt".into(), html: format!("User-agent: *\nAllow: /\nSitemap: {}\n", template.build.url("sitemap.xml")) },
        Page { path: "_headers".into(), html: headers() },
    ];
    for (i, ch) in CHAPTERS.iter().enumerate() {
        out.push(Page { path: format!("{}/{}/index.html", ch.part, ch.slug), html: chapter(template, i, ch) });
    }
    for e in crate::kit::widget::REGISTRY {
        out.push(Page { path: format!("embed/{}/index.html", e.spec.id), html: embed(template, e.spec) });
    }
    for (path, json) in manifest::files(&template.build) {
        out.push(Page { path, html: json });
    }
    out.push(Page {
        path: "print/index.html".into(),
        html: page(
            template,
            &format!("The whole guide · {SITE}"),
            "Every chapter of techbasics on one page, with each widget as a storyboard of key frames, for reading in one sitting or printing.",
            Some("print/"),
            &[],
            shell(template, &print::main_html(), None),
        ),
    });
    let mut sitemap = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    sitemap.push_str(&format!("  <url><loc>{}</loc></url>\n", escape(&template.build.url(""))));
    for ch in CHAPTERS {
        sitemap.push_str(&format!("  <url><loc>{}</loc></url>\n", escape(&template.build.url(&format!("{}/{}/", ch.part, ch.slug)))));
    }
    sitemap.push_str("</urlset>\n");
    out.push(Page { path: "sitemap.xml".into(), html: sitemap });
    out
}

/// The security policy every page is served with: scripts and wasm only from the site itself
/// (`'wasm-unsafe-eval'` lets it compile its own wasm), no inline script or style, no other
/// origin. The DNS widget's opt-in live mode needs `connect-src` to allow the resolver chosen.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors *; base-uri 'self'; form-action 'none'; object-src 'none'";

/// Netlify / Cloudflare Pages `_headers`: hashed assets cached for a year, everything else
/// revalidated, and the security headers. deploy/nginx.conf says the same for nginx.
fn headers() -> String {
    let b = book::BASE;
    format!(
        "{b}*\n  Content-Security-Policy: {CSP}\n  X-Content-Type-Options: nosniff\n  Referrer-Policy: no-referrer\n  Permissions-Policy: camera=(), microphone=(), geolocation=()\n  Cache-Control: no-cache\n{b}*.wasm\n  Cache-Control: public, max-age=31536000, immutable\n{b}techbasics-*\n  Cache-Control: public, max-age=31536000, immutable\n{b}main-*\n  Cache-Control: public, max-age=31536000, immutable\n{b}boot-*\n  Cache-Control: public, max-age=31536000, immutable\n{b}theme-init-*\n  Cache-Control: public, max-age=31536000, immutable\n{b}favicon-*\n  Cache-Control: public, max-age=31536000, immutable\n{b}bundles/*\n  Cache-Control: public, max-age=31536000, immutable\n"
    )
}

/// The service worker, for the files of this build: `files` are paths under dist/.
pub fn service_worker(files: &[String], version: u64) -> String {
    let list: Vec<String> = files.iter().map(|f| format!("{:?}", format!("{}{f}", book::BASE))).collect();
    include_str!("../../js/sw.js")
        .replacen("__VERSION__", &format!("{version:016x}"), 1)
        .replacen("__BASE__", book::BASE, 1)
        .replacen("__FILES__", &format!("[{}]", list.join(", ")), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "<html lang=\"en\"><head><!--techbasics:head--><link rel=\"modulepreload\" href=\"/x.js\" crossorigin=\"anonymous\"><link rel=\"preload\" href=\"/x_bg.wasm\" as=\"fetch\" type=\"application/wasm\"><link rel=\"stylesheet\" href=\"/main.css\"><script type=\"module\">import init from '/x.js'; await init({ module_or_path: '/x_bg.wasm' });</script></head><body><!--techbasics:body--></body></html>";

    /// Trunk's page as `make build-dist` has Trunk write it: its paths start with the base mark.
    fn template() -> Template {
        let manifest = "json-inspector\tbundles/json-1.js\tbundles/json-1_bg.wasm\nretry-backoff\tbundles/retry-2.js\tbundles/retry-2_bg.wasm\nbtree-index\tbundles/btree-3.js\tbundles/btree-3_bg.wasm\nretry-backoff+btree-index\tbundles/both-4.js\tbundles/both-4_bg.wasm\n";
        let trunk = T.replace("\"/", &format!("\"{}", book::BASE)).replace("'/", &format!("'{}", book::BASE));
        Template::new(&trunk, Build { site_url: "https://guide.example.org".into() }, parse_manifest(manifest).unwrap()).unwrap()
    }

    /// The pages as prerender writes them for a site at `base`.
    fn written(t: &Template, base: &str) -> Vec<Page> {
        pages(t).into_iter().map(|p| Page { html: with_base(&p.html, base), path: p.path }).collect()
    }

    #[test]
    fn every_file_is_written_with_the_real_base_and_no_mark() {
        assert_eq!((normalize_base(""), normalize_base("guide"), normalize_base(" /guide/ ")), ("/".to_string(), "/guide/".to_string(), "/guide/".to_string()));
        let t = template();
        for base in ["/", "/guide/"] {
            let pages = written(&t, base);
            assert!(!pages.iter().any(|p| p.html.contains("__techbasics_base__")), "no mark is left under {base}");
            let json = &pages.iter().find(|p| p.path == "apis/json/index.html").unwrap().html;
            assert!(json.contains(&format!("<link rel=\"canonical\" href=\"https://guide.example.org{base}apis/json/\">")), "{json}");
            assert!(json.contains(&format!("<html lang=\"en\" data-base=\"{base}\">")));
            assert!(json.contains(&format!("src=\"{base}{}\"", t.boot.0)) && json.contains(&format!("href=\"{base}x.js\"")));
            assert!(json.contains(&format!("href=\"{base}databases/indexes")), "the book's own links");
            let boot = with_base(&t.boot.1, base);
            assert!(boot.starts_with(&format!("import init from '{base}x.js'")), "{boot}");
        }
    }

    #[test]
    fn pages_preload_only_the_bundles_of_their_widgets() {
        let t = template();
        let pages = written(&t, "/");
        let html = |path: &str| pages.iter().find(|p| p.path == path).unwrap().html.clone();
        let json = html("apis/json/index.html");
        assert!(json.contains("<link rel=\"modulepreload\" href=\"/bundles/json-1.js\" data-bundle-wasm=\"/bundles/json-1_bg.wasm\" data-widgets=\"json-inspector\">"));
        assert_eq!(json.matches("data-bundle-wasm").count(), 1);
        let growth = html("scaling/growth/index.html");
        assert_eq!(growth.matches("data-bundle-wasm").count(), 1, "a page with two widgets loads their shared bundle");
        assert!(growth.contains("/bundles/both-4.js"));
        assert!(!html("index.html").contains("data-bundle-wasm"), "no widgets, no bundles");
        assert!(html("embed/btree-index/index.html").contains("/bundles/btree-3.js"));
        assert_eq!(t.bundles_for(&["btree-index", "json-inspector"]).len(), 2, "no shared bundle: each widget's own");
        // The landing page shows a still of a widget, drawn from its engine in theme colours.
        let still = landing_still();
        assert!(still.contains("<svg class=\"still\"") && still.contains("class=\"f-ink\"") && still.contains("<text"), "{still}");
        assert!(!still.contains("fill=\"#") && !still.contains("stroke=\"#"), "no fixed print colours: {still}");
        assert!(!still.contains("style="), "no inline styles (the CSP forbids them): {still}");
        assert!(parse_manifest("only\ttwo").is_err());
    }

    #[test]
    fn every_route_gets_a_page_with_its_title_text_and_mount_points() {
        let pages = written(&template(), "/");
        let chapters: Vec<&Page> = pages.iter().filter(|p| CHAPTERS.iter().any(|c| p.path == format!("{}/{}/index.html", c.part, c.slug))).collect();
        assert_eq!(chapters.len(), CHAPTERS.len());
        for (ch, p) in CHAPTERS.iter().zip(chapters) {
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
        assert!(!pages.iter().any(|p| p.path.ends_with(".html") && p.html.contains("<script type=\"module\">")), "no inline scripts");
    }

    #[test]
    fn the_loader_moves_to_a_hashed_file_and_pages_carry_canonical_urls() {
        let t = template();
        assert!(t.boot.0.starts_with("boot-") && with_base(&t.boot.1, "/").starts_with("import init from '/x.js'"));
        assert!(t.boot.1.contains("serviceWorker"));
        assert!(!t.boot_embed.1.contains("import init") && t.boot_embed.1.contains("data-bundle-wasm"), "the embed loader starts bundles only");
        let shell = with_base(&t.html, "/");
        assert!(shell.contains("href=\"/x.js\"") && shell.contains("href=\"/x_bg.wasm\""), "other pages keep the shell's preloads");
        let pages = written(&t, "/");
        let json = pages.iter().find(|p| p.path == "apis/json/index.html").unwrap();
        assert!(json.html.contains(&format!("<script type=\"module\" src=\"/{}\"></script>", t.boot.0)));
        assert!(json.html.contains("<link rel=\"canonical\" href=\"https://guide.example.org/apis/json/\">"));
        let sitemap = pages.iter().find(|p| p.path == "sitemap.xml").unwrap();
        assert_eq!(sitemap.html.matches("<loc>").count(), CHAPTERS.len() + 1);
        assert!(pages.iter().any(|p| p.path == "robots.txt" && p.html.contains("Sitemap: https://guide.example.org/sitemap.xml")));
        for w in crate::kit::catalog::WIDGETS {
            let e = pages.iter().find(|p| p.path == format!("embed/{}/index.html", w.id)).unwrap();
            assert!(e.html.contains("<html lang=\"en\" data-embed data-base=\"/\">"));
            assert!(!e.html.contains("id=\"toc\""), "an embed has no shell");
            assert!(!e.html.contains("/x.js") && !e.html.contains("/x_bg.wasm"), "an embed loads none of the shell's code");
            assert!(e.html.contains("href=\"/main.css\"") && e.html.contains(&format!("src=\"/{}\"", t.boot_embed.0)));
            assert!(book::placement(&format!("embed/{}", w.id), w.id).is_some());
        }
        let sw = with_base(&service_worker(&["index.html".into(), "apis/json/index.html".into()], 7), "/");
        assert!(sw.contains("const VERSION = \"0000000000000007\";") && sw.contains("[\"/index.html\", \"/apis/json/index.html\"]"));
    }

    #[test]
    fn a_template_without_marks_is_refused() {
        assert!(Template::new("<html></html>", Build { site_url: String::new() }, Vec::new()).err().unwrap().contains("trunk build"));
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }
}
