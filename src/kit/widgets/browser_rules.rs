//! What the browser allows: one request through CORS and the cookie rules (`sim::browser`).

use crate::kit::catalog::{WidgetSpec, BROWSER_RULES};
use crate::kit::scene::{clip, Anchor, Scene, Shape, Tone};
use crate::kit::url_state::{Notice, WidgetState};
use crate::kit::widget::{Reserve, Widget};
use crate::sim::browser::cookies::SameSite;
use crate::sim::browser::{self, Allow, Credentials, From, RulesWalk, Scenario, Stage, Via, When};

pub struct BrowserRules;

fn content_type_key(ct: &Option<String>) -> &'static str {
    match ct.as_deref() {
        Some("application/json") => "json",
        Some("application/x-www-form-urlencoded") => "form",
        Some("text/plain") => "text",
        _ => "none",
    }
}

/// The URL key for a cookie lifetime: its seconds, or "session".
pub fn max_age_key(a: Option<u32>) -> String {
    a.map_or_else(|| "session".to_string(), |n| n.to_string())
}

/// The preset a scenario is, if it is one.
pub fn preset_of(sc: &Scenario) -> Option<&'static str> {
    browser::PRESETS.iter().copied().find(|p| browser::preset(p) == *sc)
}

impl Widget for BrowserRules {
    const SPEC: &'static WidgetSpec = &BROWSER_RULES;
    const RESERVE: &'static [Reserve] = &[Reserve { variant: None, wide: 1500, narrow: 1362 }];
    type Input = Scenario;
    type Machine = RulesWalk;

    fn input(state: &WidgetState, _notices: &mut Vec<Notice>) -> Scenario {
        let d = browser::preset("simple");
        let text = |k: &str| state.text(k).unwrap_or("");
        Scenario {
            from: From::ALL.into_iter().find(|f| f.key() == text("from")).unwrap_or(d.from),
            via: if text("via") == "form" { Via::Form } else { Via::Fetch },
            method: Some(text("method")).filter(|m| !m.is_empty()).map_or(d.method, str::to_string),
            path: Some(text("path")).filter(|m| !m.is_empty()).map_or(d.path, str::to_string),
            content_type: match text("type") {
                "json" => Some("application/json".into()),
                "form" => Some("application/x-www-form-urlencoded".into()),
                "text" => Some("text/plain".into()),
                _ => None,
            },
            bearer: state.flag("bearer").unwrap_or(d.bearer),
            credentials: match text("creds") {
                "omit" => Credentials::Omit,
                "include" => Credentials::Include,
                _ => Credentials::SameOrigin,
            },
            allow: match text("allow") {
                "none" => Allow::None,
                "any" => Allow::Any,
                "reflect" => Allow::Reflect,
                _ => Allow::Www,
            },
            allow_credentials: state.flag("allowcreds").unwrap_or(d.allow_credentials),
            allow_methods: d.allow_methods,
            allow_headers: Some(text("headers")).filter(|h| !h.is_empty()).map_or(d.allow_headers, |h| h.split(',').map(str::to_string).collect()),
            same_site: SameSite::from_key(text("samesite")).unwrap_or(d.same_site),
            http_only: state.flag("httponly").unwrap_or(d.http_only),
            cookie_path: browser::COOKIE_PATHS.into_iter().find(|p| *p == text("cpath")).map_or(d.cookie_path, str::to_string),
            max_age: browser::MAX_AGES.into_iter().find(|a| max_age_key(*a) == text("maxage")).unwrap_or(d.max_age),
            when: When::from_key(text("when")).unwrap_or(d.when),
        }
    }

    fn settings(s: &Scenario) -> Vec<(&'static str, String)> {
        let allow = match s.allow {
            Allow::None => "none",
            Allow::Www => "www",
            Allow::Any => "any",
            Allow::Reflect => "reflect",
        };
        vec![
            ("from", s.from.key().into()),
            ("via", if s.via == Via::Form { "form" } else { "fetch" }.into()),
            ("method", s.method.clone()),
            ("path", s.path.clone()),
            ("type", content_type_key(&s.content_type).into()),
            ("bearer", s.bearer.to_string()),
            ("creds", s.credentials.key().into()),
            ("allow", allow.into()),
            ("allowcreds", s.allow_credentials.to_string()),
            ("headers", s.allow_headers.join(",")),
            ("samesite", s.same_site.key().into()),
            ("httponly", s.http_only.to_string()),
            ("cpath", s.cookie_path.clone()),
            ("maxage", max_age_key(s.max_age)),
            ("when", s.when.key().into()),
        ]
    }

    fn summary(s: &Scenario) -> String {
        let via = if s.via == Via::Form { "a form" } else { "fetch" };
        let allow = match s.allow {
            Allow::None => "no CORS",
            Allow::Www => "allows www",
            Allow::Any => "allows *",
            Allow::Reflect => "echoes Origin",
        };
        let life = s.max_age.map_or("session cookie".to_string(), |a| format!("Max-Age={a}"));
        format!("{} {} by {via} from {} · credentials {} · API {allow} · cookie SameSite={}{}, Path={}, {life}, request {}", s.method, s.path, s.from.origin(), s.credentials.key(), s.same_site.key(), if s.http_only { ", HttpOnly" } else { "" }, s.cookie_path, s.when.key())
    }

    fn machine(s: &Scenario) -> RulesWalk {
        RulesWalk::new(browser::record(s))
    }

    /// Three columns: the page, the browser, the server; the step's stage lit.
    fn scene(w: &RulesWalk, s: &Scenario) -> Scene {
        let f = w.frame();
        let mut sc = Scene::new(540.0, 150.0, format!("A request from {} to the shop's API", s.from.origin()));
        let stages = [("Page", s.from.origin(), matches!(f.stage, Stage::Start | Stage::Check | Stage::Exposed | Stage::Stolen)), ("Browser", "cookies, CORS", matches!(f.stage, Stage::Cookies | Stage::Preflight | Stage::PreflightCheck | Stage::Sent | Stage::Check)), ("Server", browser::API, matches!(f.stage, Stage::Ran | Stage::Preflight))];
        for (i, (name, sub, lit)) in stages.iter().enumerate() {
            let x = 12.0 + i as f64 * 176.0;
            sc.push(Shape::Rect { x, y: 16.0, w: 164.0, h: 56.0, fill: if *lit { Tone::Soft } else { Tone::Paper }, stroke: Some((if *lit { Tone::Accent } else { Tone::Line }, None)) });
            sc.text(x + 82.0, 40.0, Tone::Ink, 13, Anchor::Middle, *name);
            sc.text(x + 82.0, 58.0, Tone::Muted, 10, Anchor::Middle, clip(sub, 28));
        }
        let outcome = f.script.clone().unwrap_or_else(|| "…".into());
        sc.text(12.0, 100.0, Tone::Ink, 12, Anchor::Start, clip(&format!("The script sees: {outcome}"), 80));
        sc.text(12.0, 124.0, Tone::Muted, 11, Anchor::Start, clip(f.server.last().map_or("The server has seen nothing yet", String::as_str), 86));
        sc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_offers_what_the_engine_reads() {
        assert_eq!(crate::kit::catalog::BROWSER_PATHS, browser::PATHS);
        for p in browser::PRESETS {
            let sc = browser::preset(p);
            assert!(crate::kit::catalog::BROWSER_PATHS.contains(&sc.path.as_str()), "{p}");
            assert_eq!(preset_of(&sc), Some(*p));
        }
        let spec = &crate::kit::catalog::BROWSER_RULES;
        let choices = |k: &str| match spec.params.iter().find(|p| p.key == k).map(|p| &p.kind) {
            Some(crate::kit::catalog::ParamKind::Choice(c)) => c.to_vec(),
            _ => panic!("{k}"),
        };
        assert_eq!(choices("cpath"), browser::COOKIE_PATHS.to_vec());
        assert_eq!(choices("maxage"), browser::MAX_AGES.iter().map(|a| max_age_key(*a)).collect::<Vec<_>>());
        assert_eq!(choices("when"), When::ALL.iter().map(|w| w.key()).collect::<Vec<_>>());
    }
}
