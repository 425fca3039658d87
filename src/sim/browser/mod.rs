//! What the browser allows: one request from a page's script (or a form) to the shop's API,
//! followed through the Fetch standard's CORS rules and the cookie rules of RFC 6265bis, with
//! the server's side beside it. The API is the shop of [`super::http`], behind a CORS layer
//! whose policy is an input, and it signs users in by a `session` cookie as well as by token.
//!
//! Origins: the shop's site is `https://www.shop.example`, its API `https://api.shop.example`
//! (same site, another origin), and an attacker's page `https://evil.example` (another site).

pub mod cookies;
#[cfg(test)]
mod tests;

use super::http::shop::Shop;
use super::http::wire::{parse_request, reason};
use super::timeline::{FrameWalk, Narrated};
use cookies::{Cookie, SameSite};

pub const API: &str = "https://api.shop.example";

/// Where the request starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum From {
    /// The shop's own site: same site as the API, another origin.
    Www,
    /// A page on the API's own origin.
    Api,
    /// An attacker's page on another site.
    Evil,
}

impl From {
    pub const ALL: [From; 3] = [From::Www, From::Api, From::Evil];
    pub fn key(self) -> &'static str {
        match self {
            From::Www => "www",
            From::Api => "api",
            From::Evil => "evil",
        }
    }
    pub fn origin(self) -> &'static str {
        match self {
            From::Www => "https://www.shop.example",
            From::Api => API,
            From::Evil => "https://evil.example",
        }
    }
    fn same_site(self) -> bool {
        self != From::Evil
    }
}

/// How the page sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// `fetch()` from a script: CORS applies, and the script reads the answer.
    Fetch,
    /// An HTML form submitted: a navigation. No CORS, no custom headers, and no script reads
    /// the answer, which is why forms are the classic route for cross-site request forgery.
    Form,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credentials {
    Omit,
    SameOrigin,
    Include,
}

impl Credentials {
    pub const KEYS: [&'static str; 3] = ["omit", "same-origin", "include"];
    pub fn key(self) -> &'static str {
        Self::KEYS[self as usize]
    }
}

/// Which origins the API's CORS layer allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Allow {
    /// No CORS headers at all: only same-origin scripts may read answers.
    None,
    /// `Access-Control-Allow-Origin: https://www.shop.example`.
    Www,
    /// `Access-Control-Allow-Origin: *`.
    Any,
    /// Echoes whatever Origin arrives: a common and dangerous shortcut.
    Reflect,
}

/// Everything the scenario depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    pub from: From,
    pub via: Via,
    pub method: String,
    pub path: String,
    /// The Content-Type the request carries, if any.
    pub content_type: Option<String>,
    /// Whether the script adds `Authorization: Bearer tok_ben`.
    pub bearer: bool,
    pub credentials: Credentials,
    pub allow: Allow,
    pub allow_credentials: bool,
    /// `Access-Control-Allow-Methods` and `-Headers` on a preflight's answer.
    pub allow_methods: Vec<String>,
    pub allow_headers: Vec<String>,
    /// The session cookie Ben's browser holds for the API.
    pub same_site: SameSite,
    pub http_only: bool,
    /// The cookie's Path attribute.
    pub cookie_path: String,
    /// Its Max-Age in seconds, or `None` for a session cookie.
    pub max_age: Option<u32>,
    /// How long after Ben signed in the request is made.
    pub when: When,
}

/// When Ben signed in and the API set his session cookie, in answer to `POST /api/session`:
/// Tue, 01 Dec 2026 09:00:00 GMT on the simulated clock.
pub const SIGNED_IN: i64 = 1_796_115_600;

/// The cookie lifetimes the widget offers, in seconds (`None`: a session cookie).
pub const MAX_AGES: [Option<u32>; 3] = [None, Some(3600), Some(30 * 86_400)];

/// The cookie paths the widget offers.
pub const COOKIE_PATHS: [&str; 3] = ["/", "/api", "/api/users"];

/// How long after signing in the request goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// At once.
    Now,
    /// Half an hour later.
    HalfHour,
    /// Two hours later.
    TwoHours,
    /// The next morning, after the browser was closed and opened again.
    Reopened,
}

impl When {
    pub const ALL: [When; 4] = [When::Now, When::HalfHour, When::TwoHours, When::Reopened];
    pub fn key(self) -> &'static str {
        ["now", "30m", "2h", "reopened"][self as usize]
    }
    pub fn from_key(k: &str) -> Option<When> {
        Self::ALL.into_iter().find(|w| w.key() == k)
    }
    /// Seconds after signing in.
    pub fn after(self) -> i64 {
        [0, 1800, 7200, 86_400][self as usize]
    }
}

/// The body each method sends: an order of one tea towel.
const ORDER: &str = "{\"product\": 2, \"quantity\": 1}";
const FORM_ORDER: &str = "product=2&quantity=1";

/// One step of the story.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub stage: Stage,
    pub narration: String,
    /// The request line and fields on the wire at this step, if any.
    pub wire: Vec<String>,
    /// What the server has done so far.
    pub server: Vec<String>,
    /// What the page's script gets to see, once decided.
    pub script: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Start,
    Cookies,
    Preflight,
    PreflightCheck,
    Sent,
    Ran,
    Check,
    Exposed,
    Stolen,
}

impl Narrated for Frame {
    fn narration(&self) -> &str {
        &self.narration
    }
}

pub type RulesWalk = FrameWalk<Frame>;

/// The CORS-safelisted request headers (Fetch §2.2.2), for the headers this widget sends.
fn safelisted_header(name: &str, value: &str) -> bool {
    match name {
        "accept" | "accept-language" | "content-language" => value.len() <= 128,
        "content-type" => {
            let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            value.len() <= 128 && matches!(essence.as_str(), "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain")
        }
        _ => false,
    }
}

/// A CORS-safelisted method (Fetch §2.2.1).
pub fn safelisted_method(m: &str) -> bool {
    matches!(m, "GET" | "HEAD" | "POST")
}

impl Scenario {
    /// The headers the page's script asks for (the browser adds the rest).
    fn script_headers(&self) -> Vec<(String, String)> {
        let mut h = Vec::new();
        if let Some(ct) = &self.content_type {
            h.push(("content-type".to_string(), ct.clone()));
        }
        if self.bearer && self.via == Via::Fetch {
            h.push(("authorization".to_string(), "Bearer tok_ben".to_string()));
        }
        h
    }

    /// The session cookie as the API meant it when Ben signed in.
    fn cookie(&self) -> Cookie {
        Cookie { name: "session".into(), value: "tok_ben".into(), host: "api.shop.example".into(), domain_attr: false, path: self.cookie_path.clone(), secure: true, http_only: self.http_only, same_site: self.same_site, expiry: self.max_age.map(|a| SIGNED_IN + i64::from(a)) }
    }

    /// The `Set-Cookie` field the API sent when Ben signed in.
    pub fn set_cookie(&self) -> String {
        self.cookie().set_cookie(SIGNED_IN)
    }

    /// The CORS layer's answer headers for a request from `origin`.
    fn cors_headers(&self, origin: &str) -> Vec<(String, String)> {
        let mut h = Vec::new();
        let allowed = match self.allow {
            Allow::None => None,
            Allow::Www => Some(From::Www.origin().to_string()),
            Allow::Any => Some("*".to_string()),
            Allow::Reflect => Some(origin.to_string()),
        };
        if let Some(a) = allowed {
            h.push(("Access-Control-Allow-Origin".into(), a));
            if self.allow != Allow::Any {
                h.push(("Vary".into(), "Origin".into()));
            }
            if self.allow_credentials {
                h.push(("Access-Control-Allow-Credentials".into(), "true".into()));
            }
        }
        h
    }
}

/// The CORS check (Fetch §4.9) on a response's headers: `Ok` or why it fails.
pub fn cors_check(headers: &[(String, String)], origin: &str, include: bool) -> Result<(), String> {
    let get = |n: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.as_str());
    match get("access-control-allow-origin") {
        None => return Err("the answer has no Access-Control-Allow-Origin field, so no other origin may read it".into()),
        Some("*") if include => return Err("Access-Control-Allow-Origin is *, which never allows a request sent with credentials: the server must name the origin".into()),
        Some("*") => return Ok(()),
        Some(o) if o != origin => return Err(format!("Access-Control-Allow-Origin names {o}, not this page's {origin}")),
        Some(_) => {}
    }
    if include && get("access-control-allow-credentials") != Some("true") {
        return Err("the request carried credentials, and the answer lacks Access-Control-Allow-Credentials: true".into());
    }
    Ok(())
}

/// Runs the scenario and records every step.
pub fn record(sc: &Scenario) -> Vec<Frame> {
    let origin = sc.from.origin();
    let mut frames = Vec::new();
    let mut server: Vec<String> = Vec::new();
    let push = |frames: &mut Vec<Frame>, stage, narration: String, wire: Vec<String>, server: &[String], script: Option<String>| {
        frames.push(Frame { stage, narration, wire, server: server.to_vec(), script });
    };
    let cross_origin = sc.from != From::Api;
    let how = match sc.via {
        Via::Fetch => format!("A script on {origin} calls fetch(\"{API}{}\", {{method: \"{}\", credentials: \"{}\"}})", sc.path, sc.method, sc.credentials.key()),
        Via::Form => format!("A page on {origin} submits a form: {} {API}{}", sc.method, sc.path),
    };
    let relation = match sc.from {
        From::Api => "the same origin as the API",
        From::Www => "another origin than the API's, but the same site (shop.example)",
        From::Evil => "another origin and another site than the API's",
    };
    push(&mut frames, Stage::Start, format!("{how}. The page is on {relation}."), vec![], &server, None);

    // A form can only GET or POST, with the three form content types.
    let method = if sc.via == Via::Form && sc.method != "GET" { "POST".to_string() } else { sc.method.clone() };
    // Which cookies go with the request: the jar holds what the browser read from the
    // sign-in answer's Set-Cookie, less a session cookie if the browser has since closed.
    let now = SIGNED_IN + sc.when.after();
    let read = cookies::parse(&sc.set_cookie(), "api.shop.example", "/api/session", SIGNED_IN);
    let closed = sc.when == When::Reopened && read.as_ref().is_ok_and(|c| c.expiry.is_none());
    let jar: Vec<Cookie> = read.into_iter().filter(|_| !closed).collect();
    let wants_cookies = match (sc.via, sc.credentials) {
        (Via::Form, _) => true,
        (_, Credentials::Include) => true,
        (_, Credentials::SameOrigin) => !cross_origin,
        (_, Credentials::Omit) => false,
    };
    let navigation = sc.via == Via::Form;
    let (sent_cookies, why) = if !wants_cookies {
        (vec![], match sc.credentials {
            Credentials::Omit => "credentials: \"omit\" sends no cookies at all".to_string(),
            _ => "credentials: \"same-origin\" (fetch's default) sends cookies only to the page's own origin, and the API is another".to_string(),
        })
    } else {
        if closed {
            (vec![], "session has no Max-Age or Expires, so it was a session cookie, and closing the browser deleted it (a browser that restores the last session may keep it)".to_string())
        } else {
            let rq = cookies::Outgoing { host: "api.shop.example", path: &sc.path, now, same_site: sc.from.same_site(), safe_navigation: navigation && safe(&method) };
            cookies::attach(&jar, &rq)
        }
    };
    let cookie_line = if sent_cookies.is_empty() { None } else { Some(format!("Cookie: {}", sent_cookies.join("; "))) };
    let clock = match sc.when {
        When::Now => "just after Ben signed in".to_string(),
        w => format!("{} after Ben signed in, at {}", ["", "half an hour", "two hours", "a day"][w as usize], super::http::wire::http_date(now as u64)),
    };
    push(&mut frames, Stage::Cookies, format!("Cookies, {clock}: {why}."), vec![], &server, None);

    // Headers the script set, and whether a preflight is needed.
    let headers = sc.script_headers();
    let unsafe_headers: Vec<String> = {
        let mut v: Vec<String> = headers.iter().filter(|(n, v)| !safelisted_header(n, v)).map(|(n, _)| n.clone()).collect();
        v.sort();
        v
    };
    let include = sc.credentials == Credentials::Include;
    if sc.via == Via::Fetch && cross_origin && (!safelisted_method(&method) || !unsafe_headers.is_empty()) {
        let mut why = Vec::new();
        if !safelisted_method(&method) {
            why.push(format!("{method} is not GET, HEAD or POST"));
        }
        if !unsafe_headers.is_empty() {
            why.push(format!("it sets {} beyond the few headers a form could send", unsafe_headers.join(", ")));
        }
        let mut wire = vec![format!("OPTIONS {} HTTP/1.1", sc.path), "Host: api.shop.example".into(), format!("Origin: {origin}"), format!("Access-Control-Request-Method: {method}")];
        if !unsafe_headers.is_empty() {
            wire.push(format!("Access-Control-Request-Headers: {}", unsafe_headers.join(",")));
        }
        push(&mut frames, Stage::Preflight, format!("A preflight first, because {}. The browser asks with OPTIONS, without cookies, whether the real request would be welcome; nothing has run on the server yet.", why.join(" and ")), wire, &server, None);
        // The CORS layer answers the preflight.
        let mut answer = sc.cors_headers(origin);
        if sc.allow != Allow::None {
            answer.push(("Access-Control-Allow-Methods".into(), sc.allow_methods.join(", ")));
            answer.push(("Access-Control-Allow-Headers".into(), sc.allow_headers.join(", ")));
        }
        server.push(format!("OPTIONS {} from {origin}: 204, CORS fields {}", sc.path, if answer.is_empty() { "none".to_string() } else { answer.iter().map(|(n, v)| format!("{n}: {v}")).collect::<Vec<_>>().join("; ") }));
        let verdict = cors_check(&answer, origin, include).and_then(|()| {
            let star = |list: &[String]| list.iter().any(|m| m == "*") && !include;
            // Methods compare byte for byte: `put` does not allow PUT.
            if !safelisted_method(&method) && !sc.allow_methods.iter().any(|m| *m == method) && !star(&sc.allow_methods) {
                return Err(format!("Access-Control-Allow-Methods does not list {method}"));
            }
            for h in &unsafe_headers {
                let listed = sc.allow_headers.iter().any(|a| a.eq_ignore_ascii_case(h));
                // A * covers headers only without credentials, and never Authorization.
                let covered = star(&sc.allow_headers) && h != "authorization";
                if !listed && !covered {
                    let note = if h == "authorization" && sc.allow_headers.iter().any(|a| a == "*") { " (a * never covers Authorization)" } else { "" };
                    return Err(format!("Access-Control-Allow-Headers does not list {h}{note}"));
                }
            }
            Ok(())
        });
        match verdict {
            Ok(()) => push(&mut frames, Stage::PreflightCheck, "The preflight's answer allows it: this origin, this method and these headers. Now the real request goes.".into(), vec![], &server, None),
            Err(e) => {
                let said = format!("The preflight fails: {e}. The real request is never sent, so the server changes nothing; the script gets only a network error (TypeError: Failed to fetch), with no status and no reason, and the reason appears in the console.");
                push(&mut frames, Stage::PreflightCheck, said, vec![], &server, Some("TypeError: Failed to fetch (the preflight was refused)".into()));
                return finish(sc, frames, &server);
            }
        }
    }

    // The real request, as the server receives it.
    let body = match (sc.via, method.as_str()) {
        (_, "GET" | "HEAD" | "DELETE") => String::new(),
        (Via::Form, _) => FORM_ORDER.to_string(),
        _ => ORDER.to_string(),
    };
    let mut wire = vec![format!("{method} {} HTTP/1.1", sc.path), "Host: api.shop.example".into()];
    // Fetch adds Origin to CORS requests and to every request whose method is not GET or
    // HEAD; a GET form navigation carries none.
    if (sc.via == Via::Fetch && cross_origin) || !matches!(method.as_str(), "GET" | "HEAD") {
        wire.push(format!("Origin: {origin}"));
    }
    let ct = match sc.via {
        Via::Form if !body.is_empty() => Some("application/x-www-form-urlencoded".to_string()),
        Via::Form => None,
        // fetch() labels a string body with no Content-Type as text.
        Via::Fetch if !body.is_empty() => Some(sc.content_type.clone().unwrap_or_else(|| "text/plain;charset=UTF-8".into())),
        Via::Fetch => None,
    };
    if let Some(ct) = &ct {
        wire.push(format!("Content-Type: {ct}"));
    }
    if sc.bearer && sc.via == Via::Fetch {
        wire.push("Authorization: Bearer tok_ben".into());
    }
    if let Some(c) = &cookie_line {
        wire.push(c.clone());
    }
    let sent_what = if cookie_line.is_some() { "with Ben's session cookie" } else { "with no cookie" };
    push(&mut frames, Stage::Sent, format!("The request goes to the API {sent_what}."), wire.clone(), &server, None);

    // The shop answers it.
    let mut text = wire.join("\r\n");
    text.push_str(&format!("\r\nContent-Length: {}\r\n\r\n{body}", body.len()));
    let mut shop = Shop::seeded();
    let (status, response_headers, said) = match parse_request(text.as_bytes()) {
        Ok((req, _)) => {
            let (res, steps) = shop.handle(&req);
            let last = steps.last().map(|s| s.said.clone()).unwrap_or_default();
            (res.status, res.headers, last)
        }
        Err(e) => (e.status, vec![], e.message),
    };
    let mut answer = response_headers;
    answer.extend(sc.cors_headers(origin));
    let changed = shop.orders.len() > 1 || shop.products != Shop::seeded().products;
    server.push(format!("{method} {} from {origin}: {status} {}{}", sc.path, reason(status), if changed { ", and the shop changed (an order was placed)" } else { "" }));
    push(&mut frames, Stage::Ran, format!("The server runs it and answers {status} {}: {said}", reason(status)), vec![], &server, None);

    // What the page may see.
    if sc.via == Via::Form {
        let what = if changed { "The order is placed: a cross-site form did it with Ben's cookie. That is cross-site request forgery, and no CORS setting could stop it, because forms never asked CORS' permission." } else { "Nothing was changed on Ben's behalf." };
        push(&mut frames, Stage::Check, format!("A form is a navigation: the browser shows the answer as a new page, and the attacker's script never reads it. {what}"), vec![], &server, Some("(nothing: a form's answer replaces the page)".into()));
        return finish(sc, frames, &server);
    }
    let check = if cross_origin { cors_check(&answer, origin, include) } else { Ok(()) };
    match check {
        Ok(()) => {
            let said = if cross_origin {
                let exposed: Vec<&str> = answer.iter().map(|(n, _)| n.as_str()).filter(|n| SAFELISTED_RESPONSE.iter().any(|s| s.eq_ignore_ascii_case(n))).collect();
                format!("The CORS check passes, so the script gets the answer: status {status}, the body, and only these response fields: {}.", exposed.join(", "))
            } else {
                format!("Same origin: no CORS check is needed, and the script gets the answer, status {status}, the body and every response field but Set-Cookie.")
            };
            push(&mut frames, Stage::Check, said, vec![], &server, Some(format!("{status} {} and its body", reason(status))));
        }
        Err(e) => {
            let ran = if changed { " The order was placed all the same: CORS decides what the script may read, not what the server does." } else { " The server ran it and answered all the same." };
            push(&mut frames, Stage::Check, format!("The CORS check fails: {e}. The script gets a network error, not the answer.{ran}"), vec![], &server, Some("TypeError: Failed to fetch (the answer was hidden)".into()));
        }
    }
    finish(sc, frames, &server)
}

/// Response fields any script may read (Fetch's CORS-safelisted response-header names).
const SAFELISTED_RESPONSE: [&str; 7] = ["Cache-Control", "Content-Language", "Content-Length", "Content-Type", "Expires", "Last-Modified", "Pragma"];

fn safe(method: &str) -> bool {
    super::http::shop::is_safe(method)
}

/// The last step: what a script injected into the shop's own pages could take.
fn finish(sc: &Scenario, mut frames: Vec<Frame>, server: &[String]) -> Vec<Frame> {
    let cookie = if sc.http_only {
        "but HttpOnly keeps the session cookie out of document.cookie (the script can still send requests that carry it while the page is open)"
    } else {
        "and document.cookie shows session=tok_ben: without HttpOnly, the script can copy the session and use it from anywhere"
    };
    let script = frames.last().and_then(|f| f.script.clone());
    frames.push(Frame {
        stage: Stage::Stolen,
        narration: format!("And if an attacker's script ran in a page of the API's own origin (cross-site scripting; the cookie is host-only, so pages on other hosts never see it): it could read any token kept in localStorage there, {cookie}."),
        wire: vec![],
        server: server.to_vec(),
        script,
    });
    frames
}

/// The request paths the widget offers.
pub const PATHS: &[&str] = &["/api/products", "/api/products/1", "/api/users/2/orders", "/api/orders"];

/// Named scenarios, in menu order.
pub const PRESETS: &[&str] = &["simple", "hidden", "preflight", "preflight-refused", "wildcard", "csrf-lax", "csrf-none", "expired", "path"];

/// A preset's scenario.
pub fn preset(name: &str) -> Scenario {
    let base = Scenario {
        from: From::Www,
        via: Via::Fetch,
        method: "GET".into(),
        path: "/api/products".into(),
        content_type: None,
        bearer: false,
        credentials: Credentials::SameOrigin,
        allow: Allow::Www,
        allow_credentials: true,
        allow_methods: vec!["GET".into(), "POST".into(), "PUT".into(), "DELETE".into()],
        allow_headers: vec!["content-type".into(), "authorization".into()],
        same_site: SameSite::Lax,
        http_only: true,
        cookie_path: "/".into(),
        max_age: None,
        when: When::Now,
    };
    match name {
        "hidden" => Scenario { from: From::Evil, path: "/api/users/2/orders".into(), credentials: Credentials::Include, same_site: SameSite::None, ..base },
        "preflight" => Scenario { method: "POST".into(), path: "/api/orders".into(), content_type: Some("application/json".into()), credentials: Credentials::Include, ..base },
        "preflight-refused" => Scenario { method: "POST".into(), path: "/api/orders".into(), content_type: Some("application/json".into()), bearer: true, allow_headers: vec!["content-type".into()], ..base },
        "wildcard" => Scenario { path: "/api/users/2/orders".into(), credentials: Credentials::Include, allow: Allow::Any, ..base },
        "csrf-lax" => Scenario { from: From::Evil, via: Via::Form, method: "POST".into(), path: "/api/orders".into(), ..base },
        "csrf-none" => Scenario { from: From::Evil, via: Via::Form, method: "POST".into(), path: "/api/orders".into(), same_site: SameSite::None, ..base },
        "expired" => Scenario { path: "/api/users/2/orders".into(), credentials: Credentials::Include, max_age: Some(3600), when: When::TwoHours, ..base },
        "path" => Scenario { from: From::Api, method: "POST".into(), path: "/api/orders".into(), content_type: Some("application/json".into()), cookie_path: "/api/users".into(), ..base },
        _ => base,
    }
}
