//! What the build says about its widgets, for tests, tools and other sites, derived from the
//! widget registry: `widgets.json` (each widget's id, title, pages, embed and oEmbed URLs,
//! variants and reserved heights), and an oEmbed response per widget
//! (`embed/ID/oembed.json`, type `rich`), which each embed page names in a discovery link.

use serde::Serialize;

use super::{escape, Build, SITE};
use crate::book::{self, Segment, CHAPTERS};
use crate::kit::widget::{Entry, REGISTRY};

/// `widgets.json`. Paths are relative to the site's base (`apis/json/`), URLs absolute.
#[derive(Serialize)]
pub struct Manifest {
    pub base: &'static str,
    pub widgets: Vec<WidgetInfo>,
}

#[derive(Serialize)]
pub struct WidgetInfo {
    pub id: &'static str,
    pub title: &'static str,
    pub kind: &'static str,
    pub settings: Vec<&'static str>,
    /// The embed page's path, and its oEmbed file's.
    pub embed: String,
    pub oembed: String,
    /// Every chapter placement: the page, the instance and its variant.
    pub pages: Vec<Placement>,
    pub reserve: Vec<Reserve>,
}

#[derive(Serialize)]
pub struct Placement {
    pub path: String,
    pub instance: &'static str,
    pub variant: Option<&'static str>,
}

#[derive(Serialize)]
pub struct Reserve {
    pub variant: Option<&'static str>,
    /// Heights in CSS pixels on a wide screen and at 360 px.
    pub wide: u32,
    pub narrow: u32,
}

/// An oEmbed 1.0 response of type `rich` (oembed.com, section 2.3.4).
#[derive(Serialize)]
pub struct OEmbed {
    pub version: &'static str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: String,
    pub provider_name: &'static str,
    pub provider_url: String,
    pub html: String,
    pub width: u32,
    pub height: u32,
}

pub fn embed_path(id: &str) -> String {
    format!("embed/{id}/")
}

pub fn oembed_path(id: &str) -> String {
    format!("embed/{id}/oembed.json")
}

/// The width an embed is offered at; it then fills its container (`width="100%"`).
const OEMBED_WIDTH: u32 = 720;

pub fn manifest() -> Manifest {
    let widgets = REGISTRY
        .iter()
        .map(|e: &Entry| {
            let pages = CHAPTERS
                .iter()
                .flat_map(|ch| {
                    ch.segments.iter().filter_map(move |s| match s {
                        Segment::Widget(w) if w.widget == e.spec.id => Some(Placement { path: format!("{}/{}/", ch.part, ch.slug), instance: w.instance, variant: (e.variant)(w) }),
                        _ => None,
                    })
                })
                .collect();
            WidgetInfo {
                id: e.spec.id,
                title: e.spec.title,
                kind: e.spec.kind.label(),
                settings: e.spec.keys(),
                embed: embed_path(e.spec.id),
                oembed: oembed_path(e.spec.id),
                pages,
                reserve: e.reserve.iter().map(|r| Reserve { variant: r.variant, wide: r.wide, narrow: r.narrow }).collect(),
            }
        })
        .collect();
    Manifest { base: book::BASE, widgets }
}

/// The oEmbed response for `e`'s embed: the same iframe snippet the Share button offers.
pub fn oembed(b: &Build, e: &Entry) -> OEmbed {
    let height = e.reserve.first().map_or(640, |r| r.wide);
    let title = format!("{} ({SITE})", e.spec.title);
    let html = format!(
        "<iframe src=\"{}\" title=\"{}\" width=\"100%\" height=\"{height}\" style=\"border:0\" loading=\"lazy\" data-techbasics></iframe>\n<script src=\"{}\" async></script>",
        escape(&b.url(&embed_path(e.spec.id))),
        escape(&title),
        escape(&b.url("embed.js")),
    );
    OEmbed { version: "1.0", kind: "rich", title, provider_name: SITE, provider_url: b.url(""), html, width: OEMBED_WIDTH, height }
}

/// The `<link>` by which an embed page announces its oEmbed file.
pub fn discovery_link(b: &Build, e: &Entry) -> String {
    format!(
        "<link rel=\"alternate\" type=\"application/json+oembed\" href=\"{}\" title=\"{}\">",
        escape(&b.url(&oembed_path(e.spec.id))),
        escape(&format!("{} ({SITE})", e.spec.title))
    )
}

/// Pretty JSON with a final newline.
fn to_json<T: Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"error\": {:?}}}", e.to_string()));
    s.push('\n');
    s
}

/// The files: `widgets.json` and one oEmbed response per widget, as (path, JSON).
pub fn files(b: &Build) -> Vec<(String, String)> {
    let mut out = vec![("widgets.json".to_string(), to_json(&manifest()))];
    for e in REGISTRY {
        out.push((oembed_path(e.spec.id), to_json(&oembed(b, e))));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build() -> Build {
        Build { site_url: "https://guide.example.org".into() }
    }

    #[test]
    fn the_manifest_lists_every_widget_with_its_placements_and_heights() {
        let m = manifest();
        assert_eq!(m.widgets.len(), REGISTRY.len());
        let json: serde_json::Value = serde_json::from_str(&files(&build())[0].1).unwrap();
        let widgets = json["widgets"].as_array().unwrap();
        assert_eq!(widgets.len(), REGISTRY.len());
        let btree = widgets.iter().find(|w| w["id"] == "btree-index").unwrap();
        assert_eq!(btree["embed"], "embed/btree-index/");
        assert!(btree["pages"].as_array().unwrap().iter().any(|p| p["variant"] == "compact"), "the compact B-tree placement is named");
        assert_eq!(btree["reserve"][0]["variant"], serde_json::Value::Null);
        for w in widgets {
            assert!(!w["pages"].as_array().unwrap().is_empty(), "{} is placed in a chapter", w["id"]);
        }
    }

    #[test]
    fn each_widget_has_an_oembed_rich_response_and_a_discovery_link() {
        let files = files(&build());
        assert_eq!(files.len(), REGISTRY.len() + 1);
        for e in REGISTRY {
            let (_, body) = files.iter().find(|(p, _)| *p == oembed_path(e.spec.id)).unwrap();
            let v: serde_json::Value = serde_json::from_str(body).unwrap();
            assert_eq!(v["version"], "1.0");
            assert_eq!(v["type"], "rich");
            let html = v["html"].as_str().unwrap();
            assert!(html.starts_with(&format!("<iframe src=\"https://guide.example.org{}embed/{}/\"", book::BASE, e.spec.id)), "{html}");
            assert!(v["width"].as_u64().unwrap() > 0 && v["height"].as_u64().unwrap() > 0);
            let link = discovery_link(&build(), e);
            assert!(link.contains(&format!("href=\"https://guide.example.org{}embed/{}/oembed.json\"", book::BASE, e.spec.id)), "{link}");
        }
    }
}
