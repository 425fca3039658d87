//! The documents the search index is built from: every section of every chapter (cut at its
//! `h2` and `h3` headings, each with its deep link), each glossary entry, and each widget.

use crate::book::{self, Segment, CHAPTERS};
use crate::kit::search::{Doc, Index, Kind};

const GLOSSARY: (&str, &str) = ("reference", "glossary");

/// Plain text from our own rendered HTML: tags dropped, the five entities the renderer
/// writes decoded, and the parts that are not prose skipped (glossary tooltips repeat a
/// definition, heading anchors are a `#`, diagrams' SVG text is in their captions).
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        let skip = [("<span class=\"term-tip\"", "</span>"), ("<a class=\"anchor\"", "</a>"), ("<svg", "</svg>")].into_iter().find(|(open, _)| rest.starts_with(open));
        if let Some((_, close)) = skip {
            rest = rest.find(close).map_or("", |i| &rest[i + close.len()..]);
            continue;
        }
        let Some(gt) = rest.find('>') else { break };
        let tag = &rest[1..gt];
        // Block ends separate words.
        if ["/p", "/li", "/h", "/td", "/th", "/dt", "/dd", "br", "/summary", "/figcaption", "/pre"].iter().any(|t| tag.starts_with(t)) {
            out.push(' ');
        }
        rest = &rest[gt + 1..];
    }
    out.push_str(rest);
    let decoded = out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The heading at the start of `html` (`<h2 id="x">Text <a class="anchor"…</h2>`), if any.
fn heading(html: &str) -> Option<(&str, String, usize)> {
    let id_at = html.find(" id=\"")? + 5;
    let id_end = id_at + html[id_at..].find('"')?;
    let close = html.find("</h")?;
    let end = close + html[close..].find('>')? + 1;
    Some((&html[id_at..id_end], plain_text(&html[..end]), end))
}

/// Every document, in book order.
pub fn docs() -> Vec<Doc> {
    let mut docs = Vec::new();
    for ch in CHAPTERS {
        let glossary = (ch.part, ch.slug) == GLOSSARY;
        let href = ch.href();
        let html: String = ch
            .segments
            .iter()
            .map(|s| match s {
                Segment::Html(h) => h.to_string(),
                Segment::Widget(_) => String::new(),
            })
            .collect();
        // Cut before each h2 and h3.
        let mut cuts = vec![0];
        for open in ["<h2 ", "<h3 "] {
            cuts.extend(html.match_indices(open).map(|(i, _)| i));
        }
        cuts.sort_unstable();
        cuts.push(html.len());
        for w in cuts.windows(2) {
            let part = &html[w[0]..w[1]];
            let (url, section, body) = match heading(part).filter(|_| w[0] > 0 || part.starts_with("<h")) {
                Some((id, text, end)) => (format!("{href}#{id}"), text, &part[end..]),
                None => (href.clone(), String::new(), part),
            };
            let text = plain_text(body);
            if text.is_empty() {
                continue;
            }
            if glossary {
                // An entry: the term is the title.
                if section.is_empty() {
                    continue;
                }
                docs.push(Doc { kind: Kind::Glossary, url, title: section, section: String::new(), text });
            } else {
                docs.push(Doc { kind: Kind::Section, url, title: ch.title.to_string(), section, text });
            }
        }
        for s in ch.segments {
            if let Segment::Widget(p) = s {
                let spec = crate::kit::catalog::find(p.widget);
                docs.push(Doc {
                    kind: Kind::Widget,
                    url: format!("{href}#widget-{}", p.instance),
                    title: spec.map_or(p.widget, |s| s.title).to_string(),
                    section: ch.title.to_string(),
                    text: format!("Interactive widget in the chapter {}: {}", ch.title, spec.map_or("", |s| s.kind.label())),
                });
            }
        }
    }
    docs
}

/// The index file's contents and its name, hashed by content (`search-HASH.txt`).
pub fn index_file() -> (String, String) {
    let text = Index::build(docs()).encode();
    (format!("search-{:016x}.txt", super::fnv(text.as_bytes())), text)
}

/// Where the index file is served from.
pub fn index_url(name: &str) -> String {
    format!("{}{name}", book::BASE)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Search quality on the real guide: each query's expected result is among the first
    /// three. Plurals, verb forms, prefixes and one-edit misspellings included.
    #[test]
    fn fixed_queries_find_their_pages() {
        let idx = Index::build(docs());
        let cases = [
            ("index", "/reference/glossary#index"),
            ("indexes", "/reference/glossary#index"),
            ("indexing", "/reference/glossary#index"),
            ("idnex", "/reference/glossary#index"),
            ("b-tree", "/reference/glossary#b-tree"),
            ("cache", "/reference/glossary#cache"),
            ("caching", "/reference/glossary#cache"),
            ("retries backoff", "/integrations/resilience#widget-retry"),
            ("time to live cache", "/integrations/resilience#caching-with-a-time-to-live"),
            ("finding the server", "/web/visiting-a-site#finding-the-server-dns"),
            ("jitter", "/integrations/resilience#exponential-backoff-with-jitter"),
            ("transactoin", "/reference/glossary#transaction"),
            ("isolation levels", "/reference/glossary#isolation-level"),
            ("sharding", "/scaling/sharding#widget-sharding"),
            ("shards", "/scaling/sharding#widget-sharding"),
            ("load balancer", "/scaling/load-balancing#where-the-balancer-sits"),
            ("replicaton lag", "/reference/glossary#replication-lag"),
            ("read your writes", "/scaling/replicas#widget-replication"),
            ("idempotent", "/apis/what-is-an-api#safe-and-idempotent-methods"),
            ("idempotnt", "/apis/what-is-an-api#safe-and-idempotent-methods"),
            ("webhooks", "/reference/glossary#webhook"),
            ("oauth", "/integrations/keys-and-auth#oauth-20"),
            ("serverless", "/deployment/hosting#serverless-functions"),
            ("json inspector", "/apis/json#widget-json-inspector"),
            ("dns", "/reference/glossary#dns"),
            ("circuit breaker", "/reference/glossary#circuit-breaker"),
            ("primary key", "/databases/tables-and-keys#primary-and-foreign-keys"),
            ("tls", "/reference/glossary#tls"),
            ("lru", "/reference/glossary#lru"),
            ("webh", "/reference/glossary#webhook"),
        ];
        let mut failures = Vec::new();
        for (q, want) in cases {
            let want = format!("{}{}", book::BASE.trim_end_matches('/'), want);
            let top: Vec<&str> = idx.search(q).iter().take(3).map(|h| idx.docs[h.doc].url.as_str()).collect();
            if !top.contains(&want.as_str()) {
                failures.push(format!("{q:?}: wanted {want} in the top 3, got {top:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn text_drops_tags_tooltips_and_anchors() {
        let html = "<h2 id=\"a\">Caching <a class=\"anchor\" href=\"#a\">#</a></h2><p>A <a class=\"term\" href=\"/g#cache\">cache</a><span class=\"term-tip\" role=\"tooltip\"><strong>cache</strong>: a copy.</span> is &lt;fast&gt; &amp; near.</p><p>Next</p>";
        assert_eq!(plain_text(html), "Caching A cache is <fast> & near. Next");
        let (id, text, _) = heading(html).unwrap();
        assert_eq!((id, text.as_str()), ("a", "Caching"));
    }

    #[test]
    fn every_section_glossary_entry_and_widget_is_a_document() {
        let docs = docs();
        let glossary = docs.iter().filter(|d| d.kind == Kind::Glossary).count();
        assert!(glossary >= 150, "{glossary} glossary entries");
        let widgets = docs.iter().filter(|d| d.kind == Kind::Widget).count();
        let placements: usize = CHAPTERS.iter().map(|c| c.segments.iter().filter(|s| matches!(s, Segment::Widget(_))).count()).sum();
        assert_eq!(widgets, placements);
        for ch in CHAPTERS.iter().filter(|c| (c.part, c.slug) != GLOSSARY) {
            for h in ch.headings.iter().filter(|h| h.level <= 3) {
                let url = format!("{}#{}", ch.href(), h.id);
                assert!(docs.iter().any(|d| d.url == url), "{url} has a document");
            }
        }
        assert!(docs.iter().all(|d| !d.text.contains("class=\"")), "no tags left");
    }
}
