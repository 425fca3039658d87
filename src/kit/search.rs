//! Full-text search over the guide: the index is built natively at build time (`site::search`
//! gathers the documents) and shipped as one text file that the browser loads when search
//! first opens. Queries run here, in the same code natively (tests) and in the browser.
//!
//! Matching works on stems, so "index", "indexes" and "indexing" meet. Each query word also
//! matches the stems it is a prefix of (results while typing) and, from four letters up, the
//! stems one edit away (a typo). Exact matches count most, then prefixes, then typos.

use std::collections::BTreeMap;

/// What a document is, shown beside a result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Section,
    Glossary,
    Widget,
}

impl Kind {
    fn code(self) -> char {
        match self {
            Kind::Section => 's',
            Kind::Glossary => 'g',
            Kind::Widget => 'w',
        }
    }

    fn from_code(c: &str) -> Option<Kind> {
        match c {
            "s" => Some(Kind::Section),
            "g" => Some(Kind::Glossary),
            "w" => Some(Kind::Widget),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Section => "Section",
            Kind::Glossary => "Glossary",
            Kind::Widget => "Widget",
        }
    }
}

/// One searchable unit: a chapter section, a glossary entry or a widget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Doc {
    pub kind: Kind,
    /// Where the result goes, a heading's deep link.
    pub url: String,
    /// The chapter's title (or the glossary term, or the widget's title).
    pub title: String,
    /// The heading within the chapter; empty for a chapter's opening.
    pub section: String,
    pub text: String,
}

/// The words of a text: byte ranges and their lower-cased form. Letters and digits make
/// words; an apostrophe inside a word is kept out (so "server's" gives "server" and "s").
pub fn words(text: &str) -> impl Iterator<Item = (usize, usize, String)> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some(&(_, c)) = chars.peek() {
            if c.is_alphanumeric() {
                break;
            }
            chars.next();
        }
        let (start, _) = *chars.peek()?;
        let mut end = start;
        let mut word = String::new();
        while let Some(&(i, c)) = chars.peek() {
            if !c.is_alphanumeric() {
                break;
            }
            word.extend(c.to_lowercase());
            end = i + c.len_utf8();
            chars.next();
        }
        Some((start, end, word))
    })
}

/// A light English stemmer: it strips plural and verb endings so a word's forms share a
/// stem. It need not give real words, only the same stem for each form.
pub fn stem(word: &str) -> String {
    let w = word.to_lowercase();
    if w.len() <= 3 || !w.is_ascii() {
        return w;
    }
    let mut s = w.as_str();
    if let Some(r) = s.strip_suffix("ies").filter(|r| r.len() >= 2) {
        return format!("{r}y");
    }
    if let Some(r) = s.strip_suffix("ied").filter(|r| r.len() >= 2) {
        return format!("{r}y");
    }
    if let Some(r) = s.strip_suffix("es").filter(|r| r.ends_with('x') || r.ends_with("sh") || r.ends_with("ch") || r.ends_with("ss")) {
        s = r;
    } else if s.ends_with('s') && !s.ends_with("ss") && !s.ends_with("us") && !s.ends_with("is") {
        s = &s[..s.len() - 1];
    }
    for suffix in ["ing", "ed"] {
        if let Some(r) = s.strip_suffix(suffix).filter(|r| r.len() >= 3 && r.chars().any(|c| "aeiouy".contains(c))) {
            s = r;
            // "running" to "run": drop a doubled final consonant left behind.
            let b = s.as_bytes();
            let n = b.len();
            if n >= 2 && b[n - 1] == b[n - 2] && !b"lsz".contains(&b[n - 1]) && !b"aeiou".contains(&b[n - 1]) {
                s = &s[..n - 1];
            }
            break;
        }
    }
    if s.len() > 3 {
        s = s.strip_suffix('e').unwrap_or(s);
    }
    s.to_string()
}

/// True when `a` becomes `b` by one insertion, deletion, substitution or swap of neighbours.
pub fn one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a == b {
        return false;
    }
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    if la == lb {
        let swapped = p + 1 < la && a[p] == b[p + 1] && a[p + 1] == b[p] && a[p + 2..] == b[p + 2..];
        return swapped || a[p + 1..] == b[p + 1..];
    }
    let (long, short) = if la > lb { (a, b) } else { (b, a) };
    long[p + 1..] == short[p..]
}

/// How much a word counts by where it appears: (title, section, text) for each kind. A
/// section's title is its chapter's, shared by all its sections, so its heading counts more.
fn weights(kind: Kind) -> [u32; 3] {
    match kind {
        Kind::Section => [1, 5, 1],
        Kind::Glossary => [8, 0, 1],
        Kind::Widget => [3, 1, 1],
    }
}

/// How a query word matched a stem, and how much that counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Match {
    Typo,
    Prefix,
    Exact,
}

impl Match {
    fn factor(self) -> f32 {
        match self {
            Match::Exact => 1.0,
            Match::Prefix => 0.7,
            Match::Typo => 0.45,
        }
    }
}

/// The built index: documents, and each stem's postings (document, weight).
#[derive(Clone, Debug, PartialEq)]
pub struct Index {
    pub docs: Vec<Doc>,
    /// Each document's length in words, for BM25's length normalisation.
    lengths: Vec<u32>,
    /// Sorted by stem.
    terms: Vec<(String, Vec<(u32, u32)>)>,
}

/// A piece of a snippet or title: text, and whether it matched the query.
pub type Marked = Vec<(String, bool)>;

#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub doc: usize,
    pub score: f32,
    pub title: Marked,
    pub section: Marked,
    pub snippet: Marked,
}

/// The most results a query returns.
pub const MAX_HITS: usize = 12;
/// Words of context in a snippet.
const SNIPPET_WORDS: usize = 26;
/// The longest query read; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 200;

fn clean(field: &str) -> String {
    field.chars().map(|c| if c == '\t' || c == '\n' || c == '\r' { ' ' } else { c }).collect()
}

fn doc_length(d: &Doc) -> u32 {
    (words(&d.title).count() + words(&d.section).count() + words(&d.text).count()) as u32
}

impl Index {
    pub fn build(docs: Vec<Doc>) -> Index {
        let mut map: BTreeMap<String, BTreeMap<u32, u32>> = BTreeMap::new();
        for (i, d) in docs.iter().enumerate() {
            let [tw, sw, xw] = weights(d.kind);
            for (field, weight) in [(&d.title, tw), (&d.section, sw), (&d.text, xw)] {
                for (_, _, w) in words(field) {
                    *map.entry(stem(&w)).or_default().entry(i as u32).or_default() += weight;
                }
            }
        }
        let terms = map.into_iter().map(|(t, p)| (t, p.into_iter().collect())).collect();
        let lengths = docs.iter().map(doc_length).collect();
        Index { docs, lengths, terms }
    }

    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    /// The file format: a header line, a `D` line per document, a `T` line per stem with
    /// its postings as `doc:weight` pairs. Tabs and newlines inside fields become spaces.
    pub fn encode(&self) -> String {
        let mut out = String::from("techbasics-search 1\n");
        for d in &self.docs {
            out.push_str(&format!("D\t{}\t{}\t{}\t{}\t{}\n", d.kind.code(), clean(&d.url), clean(&d.title), clean(&d.section), clean(&d.text)));
        }
        for (t, postings) in &self.terms {
            out.push_str("T\t");
            out.push_str(t);
            out.push('\t');
            for (k, (d, w)) in postings.iter().enumerate() {
                if k > 0 {
                    out.push(' ');
                }
                if *w == 1 {
                    out.push_str(&d.to_string());
                } else {
                    out.push_str(&format!("{d}:{w}"));
                }
            }
            out.push('\n');
        }
        out
    }

    pub fn decode(text: &str) -> Result<Index, String> {
        let mut lines = text.lines();
        if lines.next() != Some("techbasics-search 1") {
            return Err("not a techbasics search index (version 1)".into());
        }
        let mut docs = Vec::new();
        let mut terms = Vec::new();
        for (n, line) in lines.enumerate() {
            let bad = || format!("search index line {}: malformed", n + 2);
            let mut f = line.split('\t');
            match f.next() {
                Some("D") => {
                    let kind = f.next().and_then(Kind::from_code).ok_or_else(bad)?;
                    let mut next = || f.next().map(str::to_string).ok_or_else(bad);
                    docs.push(Doc { kind, url: next()?, title: next()?, section: next()?, text: next()? });
                }
                Some("T") => {
                    let stem = f.next().ok_or_else(bad)?.to_string();
                    let mut postings = Vec::new();
                    for p in f.next().ok_or_else(bad)?.split(' ') {
                        let (d, w) = p.split_once(':').unwrap_or((p, "1"));
                        let d: u32 = d.parse().map_err(|_| bad())?;
                        if d as usize >= docs.len() {
                            return Err(bad());
                        }
                        postings.push((d, w.parse().map_err(|_| bad())?));
                    }
                    terms.push((stem, postings));
                }
                _ => return Err(bad()),
            }
        }
        if !terms.windows(2).all(|w| w[0].0 < w[1].0) {
            return Err("search index: stems out of order".into());
        }
        let lengths = docs.iter().map(doc_length).collect();
        Ok(Index { docs, lengths, terms })
    }

    /// The stems a query word matches, each with how it matched.
    fn expand(&self, word: &str) -> Vec<(usize, Match)> {
        let s = stem(word);
        let mut found: BTreeMap<usize, Match> = BTreeMap::new();
        let mut add = |i: usize, m: Match| {
            let e = found.entry(i).or_insert(m);
            *e = (*e).max(m);
        };
        if let Ok(i) = self.terms.binary_search_by(|(t, _)| t.as_str().cmp(&s)) {
            add(i, Match::Exact);
        }
        if word.chars().count() >= 2 {
            for p in [word, s.as_str()] {
                let from = self.terms.partition_point(|(t, _)| t.as_str() < p);
                for (i, (t, _)) in self.terms.iter().enumerate().skip(from) {
                    if !t.starts_with(p) {
                        break;
                    }
                    add(i, if *t == s { Match::Exact } else { Match::Prefix });
                }
            }
        }
        if s.len() >= 4 {
            for (i, (t, _)) in self.terms.iter().enumerate() {
                if t.len().abs_diff(s.len()) <= 1 && (one_edit(t, &s) || one_edit(t, word)) {
                    add(i, Match::Typo);
                }
            }
        }
        found.into_iter().collect()
    }

    /// The best documents for a query, best first, with their matching words marked.
    pub fn search(&self, query: &str) -> Vec<Hit> {
        let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
        let mut qwords: Vec<String> = words(&query).map(|(_, _, w)| w).collect();
        qwords.dedup();
        qwords.truncate(8);
        if qwords.is_empty() || self.docs.is_empty() {
            return Vec::new();
        }
        let n = self.docs.len() as f32;
        let avg = self.lengths.iter().sum::<u32>() as f32 / n;
        // Per document: the score, and how many of the query's words it matched.
        let mut score = vec![0f32; self.docs.len()];
        let mut matched = vec![0u8; self.docs.len()];
        let mut stems: Vec<&str> = Vec::new();
        let mut per_word: Vec<Vec<&str>> = Vec::new();
        for w in &qwords {
            let mut best = vec![0f32; self.docs.len()];
            let mut mine = Vec::new();
            for (ti, how) in self.expand(w) {
                let (t, postings) = &self.terms[ti];
                stems.push(t);
                mine.push(t.as_str());
                let idf = (1.0 + n / postings.len() as f32).ln();
                for &(d, weight) in postings {
                    let wt = weight as f32;
                    // BM25's saturation and length normalisation (k1 = 1.2, b = 0.75).
                    let norm = 1.2 * (0.25 + 0.75 * self.lengths[d as usize] as f32 / avg);
                    let s = idf * how.factor() * wt * 2.2 / (wt + norm);
                    let b = &mut best[d as usize];
                    *b = b.max(s);
                }
            }
            per_word.push(mine);
            for (d, b) in best.iter().enumerate() {
                if *b > 0.0 {
                    score[d] += b;
                    matched[d] += 1;
                }
            }
        }
        // A title that is exactly the query (a glossary term, a widget) is what was asked for.
        for d in 0..self.docs.len() {
            if matched[d] as usize == qwords.len() && self.docs[d].kind != Kind::Section {
                let title: Vec<String> = words(&self.docs[d].title).map(|(_, _, w)| stem(&w)).collect();
                if title.len() == per_word.len() && title.iter().zip(&per_word).all(|(t, m)| m.contains(&t.as_str())) {
                    score[d] *= 1.5;
                }
            }
        }
        let mut ranked: Vec<usize> = (0..self.docs.len()).filter(|&d| score[d] > 0.0).collect();
        // Documents matching more of the words come first; then by score; then in book order.
        ranked.sort_by(|&a, &b| matched[b].cmp(&matched[a]).then(score[b].total_cmp(&score[a])).then(a.cmp(&b)));
        ranked.truncate(MAX_HITS);
        stems.sort_unstable();
        stems.dedup();
        let hit = |w: &str| stems.binary_search(&stem(w).as_str()).is_ok();
        ranked
            .into_iter()
            .map(|d| {
                let doc = &self.docs[d];
                Hit { doc: d, score: score[d], title: mark(&doc.title, &hit), section: mark(&doc.section, &hit), snippet: snippet(&doc.text, &hit) }
            })
            .collect()
    }
}

/// Splits `text` into runs, marking the words `hit` accepts.
fn mark(text: &str, hit: &dyn Fn(&str) -> bool) -> Marked {
    let mut out: Marked = Vec::new();
    let mut at = 0;
    for (s, e, w) in words(text) {
        if hit(&w) {
            if s > at {
                out.push((text[at..s].to_string(), false));
            }
            out.push((text[s..e].to_string(), true));
            at = e;
        }
    }
    if at < text.len() {
        out.push((text[at..].to_string(), false));
    }
    out
}

/// About `SNIPPET_WORDS` words of `text` around its first marked word, with ellipses where
/// it was cut.
fn snippet(text: &str, hit: &dyn Fn(&str) -> bool) -> Marked {
    let all: Vec<(usize, usize, String)> = words(text).collect();
    if all.is_empty() {
        return Vec::new();
    }
    let first = all.iter().position(|(_, _, w)| hit(w)).unwrap_or(0);
    let start = first.saturating_sub(SNIPPET_WORDS / 3);
    let end = (start + SNIPPET_WORDS).min(all.len());
    let (from, to) = (all[start].0, if end == all.len() { text.len() } else { all[end - 1].1 });
    let mut out = mark(&text[from..to], hit);
    if start > 0 {
        out.insert(0, ("… ".into(), false));
    }
    if end < all.len() {
        out.push((" …".into(), false));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(title: &str, section: &str, text: &str) -> Doc {
        Doc { kind: Kind::Section, url: format!("/{title}"), title: title.into(), section: section.into(), text: text.into() }
    }

    #[test]
    fn forms_of_a_word_share_a_stem() {
        for group in [
            &["index", "indexes", "indexing", "indexed"][..],
            &["cache", "caches", "caching", "cached"],
            &["retry", "retries", "retried", "retrying"],
            &["shard", "shards", "sharding", "sharded"],
            &["query", "queries"],
            &["run", "running"],
            &["database", "databases"],
        ] {
            let s = stem(group[0]);
            for w in group {
                assert_eq!(stem(w), s, "{w} vs {}", group[0]);
            }
        }
        assert_ne!(stem("status"), stem("stat"));
        assert_eq!(stem("dns"), "dns");
    }

    #[test]
    fn one_edit_counts_each_kind_of_edit() {
        assert!(one_edit("index", "indx"));
        assert!(one_edit("index", "indexx"));
        assert!(one_edit("index", "indez"));
        assert!(one_edit("index", "inedx"));
        assert!(!one_edit("index", "index"));
        assert!(!one_edit("index", "indxe1"));
        assert!(!one_edit("index", "idnxe"));
        assert!(!one_edit("cache", "cacheing"));
    }

    #[test]
    fn words_are_split_on_anything_but_letters_and_digits() {
        let w: Vec<String> = words("The server's 503, then—HTTP/2!").map(|(_, _, w)| w).collect();
        assert_eq!(w, ["the", "server", "s", "503", "then", "http", "2"]);
    }

    #[test]
    fn titles_outrank_text_and_typos_and_prefixes_still_find() {
        let idx = Index::build(vec![
            doc("Retries", "Backoff", "Wait longer after each failure."),
            doc("Caching", "", "A cache keeps a copy; the retry is not covered here."),
        ]);
        assert_eq!(idx.search("retrying")[0].doc, 0);
        assert_eq!(idx.search("backof")[0].doc, 0, "prefix");
        assert_eq!(idx.search("bakcoff")[0].doc, 0, "typo");
        assert_eq!(idx.search("caching")[0].doc, 1);
        assert!(idx.search("zzzz").is_empty());
        assert!(idx.search("  ,, ").is_empty());
    }

    #[test]
    fn documents_matching_every_word_come_first() {
        let idx = Index::build(vec![doc("A", "", "cache cache cache cache"), doc("B", "", "cache and retry")]);
        assert_eq!(idx.search("cache retry")[0].doc, 1);
    }

    #[test]
    fn snippets_mark_the_matched_words_in_context() {
        let long = format!("{} the index is here {}", "word ".repeat(40), "tail ".repeat(40));
        let idx = Index::build(vec![doc("T", "", &long)]);
        let hit = &idx.search("indexes")[0];
        let marked: Vec<&str> = hit.snippet.iter().filter(|(_, m)| *m).map(|(t, _)| t.as_str()).collect();
        assert_eq!(marked, ["index"]);
        assert_eq!(hit.snippet.first().unwrap().0, "… ");
        assert_eq!(hit.snippet.last().unwrap().0, " …");
        let plain: String = hit.snippet.iter().map(|(t, _)| t.as_str()).collect();
        assert!(plain.split_whitespace().count() <= SNIPPET_WORDS + 2);
    }

    #[test]
    fn the_file_round_trips_and_bad_files_are_refused() {
        let idx = Index::build(vec![doc("Tabs\tand", "new\nlines", "x y x"), doc("B", "", "y")]);
        let back = Index::decode(&idx.encode()).unwrap();
        assert_eq!(back.search("x")[0].doc, 0);
        assert_eq!(back.docs[0].title, "Tabs and");
        assert_eq!(back.terms, idx.terms);
        assert!(Index::decode("").is_err());
        assert!(Index::decode("techbasics-search 1\nT\tx\t5\n").is_err());
        assert!(Index::decode("techbasics-search 1\nQ\n").is_err());
    }

    #[test]
    fn hostile_queries_do_not_panic() {
        let idx = Index::build(vec![doc("A", "", "alpha beta")]);
        for q in ["<script>alert(1)</script>", "\u{202e}evil", &"a".repeat(100_000), "\0\u{7}", "ß̈ẞ", "🙂🙂"] {
            let _ = idx.search(q);
        }
    }
}
