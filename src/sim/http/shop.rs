//! The guide's shop API as an HTTP server: products, users and orders in memory, and every
//! response reached by walking named decisions in the manner of Webmachine's HTTP diagram.
//! Each decision passed is recorded with the section of RFC 9110 (or RFC 6585, 6750, 9457)
//! that says what it means.

use super::wire::{http_date, parse_http_date, Request, Response};
use crate::sim::json::{self, TokenKind};

/// Writes a user may make in one minute before the answer is 429.
pub const WRITES_PER_MINUTE: usize = 3;
/// Seconds a 503 asks the client to wait.
pub const MAINTENANCE_RETRY: u64 = 120;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Product {
    pub id: u32,
    pub name: String,
    /// In cents.
    pub price: u32,
    pub stock: u32,
    /// Bumped on every change: the ETag is made from it.
    pub version: u32,
    /// Seconds since 1970 of the last change: the Last-Modified date.
    pub modified: u64,
}

impl Product {
    /// A strong entity tag: it changes whenever any byte of the representation would.
    pub fn etag(&self) -> String {
        format!("\"p{}-v{}\"", self.id, self.version)
    }

    fn json(&self) -> String {
        format!("{{\"id\": {}, \"name\": {}, \"price\": {}, \"stock\": {}}}", self.id, quote(&self.name), self.price, self.stock)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    pub id: u32,
    pub user: u32,
    pub product: u32,
    pub quantity: u32,
    pub total: u32,
}

impl Order {
    fn json(&self) -> String {
        format!("{{\"id\": {}, \"user\": {}, \"product\": {}, \"quantity\": {}, \"total\": {}}}", self.id, self.user, self.product, self.quantity, self.total)
    }
}

/// The people the shop knows: (id, name, bearer token, staff?).
pub const USERS: [(u32, &str, &str, bool); 3] = [(1, "ana", "tok_ana", true), (2, "ben", "tok_ben", false), (3, "cy", "tok_cy", false)];

/// One decision on the way to a response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The question, short: "Authorized?".
    pub node: &'static str,
    /// What the server found, in a sentence.
    pub said: String,
    /// The section that governs it, such as "RFC 9110 §13.2.2".
    pub rfc: &'static str,
    /// This decision chose the status.
    pub decided: bool,
}

/// The shop's whole state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shop {
    pub products: Vec<Product>,
    pub orders: Vec<Order>,
    next_product: u32,
    next_order: u32,
    /// Virtual seconds since 1970.
    pub clock: u64,
    /// (user, key, body, the response first sent).
    idempotency: Vec<(u32, String, Vec<u8>, Response)>,
    /// (user, time) of each write, for the rate limit.
    writes: Vec<(u32, u64)>,
    pub maintenance: bool,
    pub require_if_match: bool,
}

/// Monday 2 March 2026, 09:00:00 GMT.
pub const START: u64 = 1_772_442_000;

impl Shop {
    pub fn seeded() -> Shop {
        let p = |id, name: &str, price, stock| Product { id, name: name.into(), price, stock, version: 1, modified: START - 86_400 };
        Shop {
            products: vec![p(1, "Blue mug", 1200, 5), p(2, "Tea towel", 650, 12), p(3, "Teapot", 3400, 1)],
            orders: vec![Order { id: 1, user: 2, product: 2, quantity: 2, total: 1300 }],
            next_product: 4,
            next_order: 2,
            clock: START,
            idempotency: Vec::new(),
            writes: Vec::new(),
            maintenance: false,
            require_if_match: false,
        }
    }

    fn product(&self, id: u32) -> Option<&Product> {
        self.products.iter().find(|p| p.id == id)
    }
}

/// The routes, with the methods each allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    Products,
    Product(u32),
    UserOrders(u32),
    UserStats(u32),
    Orders,
    OrderOne(u32),
}

impl Route {
    fn parse(path: &str) -> Option<Route> {
        let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        let id = |s: &str| s.parse::<u32>().ok().filter(|_| !s.starts_with('+') && s.len() < 10);
        match parts.as_slice() {
            ["", "api", "products"] => Some(Route::Products),
            ["", "api", "products", n] => id(n).map(Route::Product),
            ["", "api", "users", n, "orders"] => id(n).map(Route::UserOrders),
            ["", "api", "users", n, "stats"] => id(n).map(Route::UserStats),
            ["", "api", "orders"] => Some(Route::Orders),
            ["", "api", "orders", n] => id(n).map(Route::OrderOne),
            _ => None,
        }
    }

    fn allow(self) -> &'static [&'static str] {
        match self {
            Route::Products => &["GET", "HEAD", "POST", "OPTIONS"],
            Route::Product(_) => &["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"],
            Route::UserOrders(_) | Route::UserStats(_) | Route::OrderOne(_) => &["GET", "HEAD", "OPTIONS"],
            Route::Orders => &["POST", "OPTIONS"],
        }
    }

    /// Whether a request needs a signed-in user: every write, and anything about a user.
    fn needs_user(self, method: &str) -> bool {
        !matches!((self, method), (Route::Products | Route::Product(_), "GET" | "HEAD"))
    }
}

const KNOWN_METHODS: [&str; 9] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"];

/// Whether a method is safe (RFC 9110 §9.2.1): it asks for nothing to change.
pub fn is_safe(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "OPTIONS" | "TRACE")
}

/// Whether a method is idempotent (RFC 9110 §9.2.2): sending it twice has the effect of once.
pub fn is_idempotent(method: &str) -> bool {
    is_safe(method) || matches!(method, "PUT" | "DELETE")
}

/// The trail of decisions for one request, and the response they led to.
struct Walk {
    steps: Vec<Step>,
}

impl Walk {
    fn pass(&mut self, node: &'static str, rfc: &'static str, said: impl Into<String>) {
        self.steps.push(Step { node, said: said.into(), rfc, decided: false });
    }

    fn decide(&mut self, node: &'static str, rfc: &'static str, said: impl Into<String>) {
        self.steps.push(Step { node, said: said.into(), rfc, decided: true });
    }
}

/// An error body in the problem details format (RFC 9457).
fn problem(status: u16, detail: &str) -> Response {
    let body = format!(
        "{{\"type\": \"about:blank\", \"title\": {}, \"status\": {status}, \"detail\": {}}}",
        quote(super::wire::reason(status)),
        quote(detail)
    );
    Response { status, headers: vec![("Content-Type".into(), "application/problem+json".into())], body }
}

fn ok(status: u16, body: String) -> Response {
    let headers = if body.is_empty() { vec![] } else { vec![("Content-Type".into(), "application/json".into())] };
    Response { status, headers, body }
}

/// JSON string quoting for what the server writes.
pub fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Entity-tag comparison (RFC 9110 §8.8.3.2): strong needs both strong and equal; weak
/// compares the opaque parts alone.
pub fn etag_matches(a: &str, b: &str, strong: bool) -> bool {
    let weak = |t: &str| t.starts_with("W/");
    if strong && (weak(a) || weak(b)) {
        return false;
    }
    a.trim_start_matches("W/") == b.trim_start_matches("W/")
}

/// Whether an Accept field allows JSON (RFC 9110 §12.5.1): the most specific range that
/// matches application/json decides, and a weight of zero refuses it.
fn accepts_json(values: &[String]) -> bool {
    let mut best: Option<(u8, bool)> = None;
    for v in values {
        let mut parts = v.split(';').map(str::trim);
        let range = parts.next().unwrap_or("").to_ascii_lowercase();
        let zero = parts.any(|p| {
            let p = p.replace(' ', "");
            p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")).is_some_and(q_is_zero)
        });
        let specific = match range.as_str() {
            "application/json" => 3,
            "application/*" => 2,
            "*/*" => 1,
            _ => continue,
        };
        if best.is_none_or(|(s, _)| specific > s) {
            best = Some((specific, zero));
        }
    }
    best.is_some_and(|(_, zero)| !zero)
}

/// The fields of an `application/x-www-form-urlencoded` body, digits read as numbers and the
/// rest as strings (no percent-decoding: the shop's forms send plain digits).
fn read_form(body: &[u8]) -> Vec<(String, TokenKind)> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| {
            let kind = if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) { TokenKind::Number { text: v.to_string() } } else { TokenKind::String(v.to_string()) };
            (k.to_string(), kind)
        })
        .collect()
}

/// Whether a weight is zero by RFC 9110 §12.4.2's grammar: `0`, then optionally a point and
/// up to three zeros (read as text: a float parser would cost the bundle kilobytes).
fn q_is_zero(q: &str) -> bool {
    match q.strip_prefix('0') {
        Some("") => true,
        Some(rest) => rest.strip_prefix('.').is_some_and(|d| d.len() <= 3 && d.bytes().all(|b| b == b'0')),
        None => false,
    }
}

/// The top-level members of a JSON object body, or why the body is not one.
enum Body {
    Members(Vec<(String, TokenKind)>),
    NotJson(String),
    NotObject,
}

fn read_body(bytes: &[u8]) -> Body {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Body::NotJson("the body is not UTF-8 text".into());
    };
    let parsed = json::parse(text);
    if let Some(e) = &parsed.error {
        return Body::NotJson(e.to_string());
    }
    if !matches!(parsed.tokens.first().map(|t| &t.kind), Some(TokenKind::BeginObject)) {
        return Body::NotObject;
    }
    let mut members = Vec::new();
    let mut key = None;
    let mut depth = 0usize;
    for t in &parsed.tokens {
        match &t.kind {
            TokenKind::BeginObject | TokenKind::BeginArray => {
                if depth == 1 {
                    if let Some(k) = key.take() {
                        members.push((k, t.kind.clone()));
                    }
                }
                depth += 1;
            }
            TokenKind::EndObject { .. } | TokenKind::EndArray { .. } => depth -= 1,
            TokenKind::Key(k) if depth == 1 => key = Some(k.clone()),
            other if depth == 1 => {
                if let Some(k) = key.take() {
                    members.push((k, other.clone()));
                }
            }
            _ => {}
        }
    }
    Body::Members(members)
}

/// A whole number in `lo..=hi` from a member, or what is wrong with it.
fn whole(v: &TokenKind, lo: u32, hi: u32) -> Result<u32, String> {
    match v {
        TokenKind::Number { text } if text.bytes().all(|b| b.is_ascii_digit()) => match text.parse::<u32>() {
            Ok(n) if (lo..=hi).contains(&n) => Ok(n),
            _ => Err(format!("must be from {lo} to {hi}")),
        },
        TokenKind::Number { .. } => Err("must be a whole number (prices are in cents)".into()),
        other => Err(format!("must be a number, not {}", other.type_name())),
    }
}

/// The fields of a product from a body: all of them for POST and PUT, any for PATCH.
fn product_fields(members: &[(String, TokenKind)], partial: bool) -> Result<(Option<String>, Option<u32>, Option<u32>), Vec<(String, String)>> {
    let mut errors = Vec::new();
    let (mut name, mut price, mut stock) = (None, None, None);
    for (k, v) in members {
        match k.as_str() {
            "name" => match v {
                TokenKind::String(s) if (1..=60).contains(&s.chars().count()) => name = Some(s.clone()),
                TokenKind::String(_) => errors.push(("name".into(), "must be 1 to 60 characters".into())),
                other => errors.push(("name".into(), format!("must be a string, not {}", other.type_name()))),
            },
            "price" => match whole(v, 1, 1_000_000) {
                Ok(n) => price = Some(n),
                Err(e) => errors.push(("price".into(), e)),
            },
            "stock" => match whole(v, 0, 10_000) {
                Ok(n) => stock = Some(n),
                Err(e) => errors.push(("stock".into(), e)),
            },
            "id" => errors.push(("id".into(), "is chosen by the server and cannot be sent".into())),
            other => errors.push((other.into(), "is not a field of a product".into())),
        }
    }
    if !partial {
        for (f, v) in [("name", name.is_some()), ("price", price.is_some()), ("stock", stock.is_some())] {
            if !v {
                errors.push((f.into(), "is required".into()));
            }
        }
    }
    if errors.is_empty() {
        Ok((name, price, stock))
    } else {
        Err(errors)
    }
}

fn field_errors(errors: &[(String, String)]) -> Response {
    let list: Vec<String> = errors.iter().map(|(f, m)| format!("{{\"field\": {}, \"message\": {}}}", quote(f), quote(m))).collect();
    let mut r = problem(422, "the JSON is well formed, but some fields are wrong");
    r.body = format!("{}, \"errors\": [{}]}}", r.body.trim_end_matches('}'), list.join(", "));
    r
}

fn user_of(token: &str) -> Option<(u32, &'static str, bool)> {
    USERS.iter().find(|u| u.2 == token).map(|u| (u.0, u.1, u.3))
}

impl Shop {
    /// Answers one request, changing the shop as the API says; returns the response and the
    /// decisions that chose it. Dates are added here, and Content-Length when there is a body.
    pub fn handle(&mut self, req: &Request) -> (Response, Vec<Step>) {
        let mut w = Walk { steps: Vec::new() };
        let mut res = self.decide(req, &mut w);
        res.headers.insert(0, ("Date".into(), http_date(self.clock)));
        let length = res.body.len();
        if req.method == "HEAD" {
            res.body.clear();
        }
        if res.status != 204 && res.status != 304 {
            res.headers.push(("Content-Length".into(), length.to_string()));
        }
        (res, w.steps)
    }

    fn decide(&mut self, req: &Request, w: &mut Walk) -> Response {
        let m = req.method.as_str();
        // Service available?
        if self.maintenance {
            w.decide("Service available?", "RFC 9110 §15.6.4", format!("No: the shop is down for maintenance, so every request gets 503 with Retry-After: {MAINTENANCE_RETRY} (seconds)."));
            let mut r = problem(503, "down for maintenance; try again later");
            r.headers.push(("Retry-After".into(), MAINTENANCE_RETRY.to_string()));
            return r;
        }
        w.pass("Service available?", "RFC 9110 §15.6.4", "Yes: the shop is up.");
        // Method known?
        if !KNOWN_METHODS.contains(&m) {
            w.decide("Method known?", "RFC 9110 §9.1", format!("No: {m} is not a method this server knows (method names are case-sensitive), so the answer is 501 Not Implemented."));
            return problem(501, "unknown method");
        }
        if matches!(m, "TRACE" | "CONNECT") {
            w.decide("Method known?", "RFC 9110 §9.3", format!("{m} is a standard method, but this server does not implement it: 501 Not Implemented."));
            return problem(501, "method not implemented here");
        }
        w.pass("Method known?", "RFC 9110 §9.1", format!("Yes: {m} is a standard method."));
        // Route exists?
        let Some(route) = Route::parse(req.path()) else {
            w.decide("Route exists?", "RFC 9110 §15.5.5", format!("No route matches {}: 404 Not Found.", req.path()));
            return problem(404, "no such route");
        };
        w.pass("Route exists?", "RFC 9110 §15.5.5", format!("{} matches a route.", req.path()));
        // Method allowed?
        let allow = route.allow().join(", ");
        if !route.allow().contains(&m) {
            w.decide("Method allowed here?", "RFC 9110 §15.5.6", format!("No: this route takes {allow}. The answer is 405, and the Allow field lists what would work."));
            let mut r = problem(405, "method not allowed on this resource");
            r.headers.push(("Allow".into(), allow));
            return r;
        }
        w.pass("Method allowed here?", "RFC 9110 §15.5.6", format!("Yes: the route takes {allow}."));
        if m == "OPTIONS" {
            w.decide("OPTIONS?", "RFC 9110 §9.3.7", "An OPTIONS request asks what the resource supports: 200 with Allow, and an empty body.");
            let mut r = ok(200, String::new());
            r.headers.push(("Allow".into(), allow));
            return r;
        }
        // Authorized?
        let mut who = None;
        if route.needs_user(m) {
            // Scheme names are case-insensitive (RFC 9110 §11.1).
            let auth = req.header("authorization");
            let bearer = auth.and_then(|a| a.split_once(' ').filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer")).map(|(_, t)| t));
            // Or a session cookie, as a browser sends it.
            let session = req.list("cookie").iter().flat_map(|c| c.split(';').map(|p| p.trim().to_string()).collect::<Vec<_>>()).find_map(|p| p.strip_prefix("session=").map(str::to_string));
            let (token, by) = match (bearer, &session) {
                (Some(t), _) => (Some(t.trim().to_string()), "bearer token"),
                (None, Some(t)) => (Some(t.clone()), "session cookie"),
                (None, None) => (None, ""),
            };
            match token.as_deref().and_then(user_of) {
                Some(u) => {
                    w.pass("Authenticated?", "RFC 9110 §11.6.2", format!("Yes: the {by} belongs to {}.", u.1));
                    who = Some(u);
                }
                None => {
                    let why = match (auth, bearer, &token) {
                        (Some(_), None, None) => "the Authorization field does not use the Bearer scheme, the only one this API takes",
                        (_, _, None) => "there is no Authorization field and no session cookie",
                        _ => "the token is not one the shop issued",
                    };
                    w.decide("Authenticated?", "RFC 6750 §3", format!("No: {why}. The answer is 401, with WWW-Authenticate naming the scheme to use."));
                    let mut r = problem(401, "sign in: send Authorization: Bearer <token>");
                    // An error code only for a bearer token that failed (RFC 6750 §3.1).
                    let challenge = if bearer.is_some() { "Bearer realm=\"shop\", error=\"invalid_token\"" } else { "Bearer realm=\"shop\"" }.to_string();
                    r.headers.push(("WWW-Authenticate".into(), challenge));
                    return r;
                }
            }
        } else {
            w.pass("Authenticated?", "RFC 9110 §11.6.2", "Not needed: anyone may read the catalogue.");
        }
        // Forbidden?
        if let Some((uid, name, staff)) = who {
            let allowed = match route {
                Route::Products | Route::Product(_) => staff,
                Route::UserOrders(u) | Route::UserStats(u) => staff || u == uid,
                Route::Orders | Route::OrderOne(_) => true,
            };
            if !allowed {
                let what = if matches!(route, Route::Products | Route::Product(_)) { "only staff may change products".to_string() } else { format!("{name} may see only their own orders") };
                w.decide("Allowed?", "RFC 9110 §15.5.4", format!("No: {name} is signed in, but {what}. 403 Forbidden: signing in again would not help."));
                return problem(403, &what);
            }
            w.pass("Allowed?", "RFC 9110 §15.5.4", format!("Yes: {name} may do this."));
        }
        // Too many requests?
        if !is_safe(m) {
            if let Some((uid, name, _)) = who {
                let window = self.clock - self.clock % 60;
                let recent = self.writes.iter().filter(|(u, t)| *u == uid && *t >= window).count();
                if recent >= WRITES_PER_MINUTE {
                    let wait = window + 60 - self.clock;
                    w.decide("Within rate limit?", "RFC 6585 §4", format!("No: {name} has made {recent} writes this minute, the limit. 429, with Retry-After: {wait} (seconds until the next minute)."));
                    let mut r = problem(429, "too many writes this minute");
                    r.headers.push(("Retry-After".into(), wait.to_string()));
                    return r;
                }
                self.writes.push((uid, self.clock));
                w.pass("Within rate limit?", "RFC 6585 §4", format!("Yes: write {} of {WRITES_PER_MINUTE} {name} may make this minute.", recent + 1));
            }
        }
        // Content type known?
        let has_body = matches!(m, "POST" | "PUT" | "PATCH");
        if has_body {
            let ct = req.header("content-type").map(|c| c.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
            let form = route == Route::Orders && ct.as_deref() == Some("application/x-www-form-urlencoded");
            let fine = form || matches!(ct.as_deref(), Some("application/json")) || (m == "PATCH" && ct.as_deref() == Some("application/merge-patch+json"));
            if !fine {
                let said = match &ct {
                    None => "there is no Content-Type, so the server cannot know how to read the body".to_string(),
                    Some(c) => format!("the body is labelled {c}, which this route does not read"),
                };
                w.decide("Content type known?", "RFC 9110 §15.5.16", format!("No: {said}. 415 Unsupported Media Type."));
                let mut r = problem(415, "send the body as application/json");
                match (route, m) {
                    (Route::Orders, _) => r.headers.push(("Accept-Post".into(), "application/json, application/x-www-form-urlencoded".into())),
                    (_, "PATCH") => r.headers.push(("Accept-Patch".into(), "application/json, application/merge-patch+json".into())),
                    (_, "POST") => r.headers.push(("Accept-Post".into(), "application/json".into())),
                    _ => {}
                }
                return r;
            }
            w.pass("Content type known?", "RFC 9110 §8.3", if form { "Yes: a form's fields (the checkout page posts its form here too)." } else { "Yes: the body is JSON." });
        } else if !req.body.is_empty() {
            w.pass("Body?", "RFC 9110 §9.3.1", format!("A {m} request's body has no meaning here; the server ignores its {} bytes.", req.body.len()));
        }
        // Acceptable?
        let accept = req.list("accept");
        if !accept.is_empty() && !accepts_json(&accept) {
            w.decide("Acceptable?", "RFC 9110 §12.5.1", format!("No: Accept asks for {} and this API writes only JSON. 406 Not Acceptable.", accept.join(", ")));
            return problem(406, "this API answers in application/json only");
        }
        w.pass("Acceptable?", "RFC 9110 §12.5.1", if accept.is_empty() { "No Accept field: any type will do, so JSON it is." } else { "Yes: Accept allows JSON." });
        // Resource exists?
        let id = match route {
            Route::Product(id) => Some(id),
            _ => None,
        };
        let exists = match route {
            Route::Product(id) => self.product(id).is_some(),
            Route::UserOrders(u) | Route::UserStats(u) => USERS.iter().any(|x| x.0 == u),
            Route::OrderOne(o) => self.orders.iter().any(|x| x.id == o && (who.is_some_and(|w| w.2 || w.0 == x.user))),
            _ => true,
        };
        // A precondition never hides a 404 (RFC 9110 §13.2.1: they are ignored when the answer
        // without them would be neither 2xx nor 412).
        if !exists {
            w.decide("Resource exists?", "RFC 9110 §15.5.5", format!("No: nothing lives at {}. 404 Not Found.", req.path()));
            return problem(404, "no such resource");
        }
        // Conditional requests, in RFC 9110 §13.2.2's order.
        let current = id.and_then(|i| self.product(i)).cloned();
        if let Some(p) = &current {
            if self.require_if_match && !is_safe(m) && req.header("if-match").is_none() {
                w.decide("Precondition sent?", "RFC 6585 §3", "No: this server requires If-Match on every change to a product, so that nobody overwrites a change they have not seen. 428 Precondition Required.");
                return problem(428, "send If-Match with the ETag you last read");
            }
            let tag = p.etag();
            let ims = req.header("if-modified-since").and_then(parse_http_date);
            if let Some(im) = req.header("if-match") {
                let hit = im.trim() == "*" || req.list("if-match").iter().any(|t| etag_matches(t, &tag, true));
                if !hit {
                    w.decide("If-Match holds?", "RFC 9110 §13.1.1", format!("No: the product's ETag is now {tag}, not {im}; someone changed it since you read it. 412 Precondition Failed, and nothing is written: the lost update is prevented."));
                    return problem(412, "the product changed since you read it; read it again");
                }
                w.pass("If-Match holds?", "RFC 9110 §13.1.1", format!("Yes: the ETag is still {tag}, so nobody has changed it since you read it."));
            } else if let Some(ius) = req.header("if-unmodified-since").and_then(parse_http_date) {
                if p.modified > ius {
                    w.decide("If-Unmodified-Since holds?", "RFC 9110 §13.1.4", "No: it was modified after that date. 412 Precondition Failed.");
                    return problem(412, "modified since that date");
                }
                w.pass("If-Unmodified-Since holds?", "RFC 9110 §13.1.4", "Yes: not modified since that date.");
            }
            if let Some(inm) = req.header("if-none-match") {
                let hit = inm.trim() == "*" || req.list("if-none-match").iter().any(|t| etag_matches(t, &tag, false));
                if hit {
                    if matches!(m, "GET" | "HEAD") {
                        w.decide("If-None-Match fails?", "RFC 9110 §13.1.2", format!("Your copy's ETag {tag} is current: 304 Not Modified, with no body. Your cached copy is good."));
                        let mut r = ok(304, String::new());
                        r.headers.push(("ETag".into(), tag));
                        r.headers.push(("Cache-Control".into(), "no-cache".into()));
                        return r;
                    }
                    w.decide("If-None-Match fails?", "RFC 9110 §13.1.2", "It matches, and this is not a GET: 412 Precondition Failed.");
                    return problem(412, "the resource matches If-None-Match");
                }
                w.pass("If-None-Match fails?", "RFC 9110 §13.1.2", format!("The ETag is now {tag}; your copy is old, so the full answer follows."));
            } else if let (Some(im), true) = (ims, matches!(m, "GET" | "HEAD")) {
                if p.modified <= im {
                    w.decide("Modified since?", "RFC 9110 §13.1.3", "Not since that date: 304 Not Modified.");
                    let mut r = ok(304, String::new());
                    r.headers.push(("ETag".into(), tag));
                    r.headers.push(("Cache-Control".into(), "no-cache".into()));
                    return r;
                }
                w.pass("Modified since?", "RFC 9110 §13.1.3", "Yes, after that date: the full answer follows.");
            }
        }
        // Body well formed and valid?
        let form = req.header("content-type").is_some_and(|c| c.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
        let members = if has_body && form {
            let fields = read_form(&req.body);
            w.pass("Form read?", "HTML §4.10.21.7", format!("Yes: {} field{}.", fields.len(), crate::sim::plural(fields.len())));
            fields
        } else if has_body {
            match read_body(&req.body) {
                Body::NotJson(e) => {
                    w.decide("Body is JSON?", "RFC 9110 §15.5.1", format!("No: {e}. 400 Bad Request: the server cannot read it at all."));
                    return problem(400, &format!("the body is not valid JSON: {e}"));
                }
                Body::NotObject => {
                    w.decide("Body is JSON?", "RFC 9110 §15.5.21", "It is JSON, but not an object with fields: 422 Unprocessable Content.");
                    return field_errors(&[("(body)".into(), "must be a JSON object".into())]);
                }
                Body::Members(ms) => {
                    w.pass("Body is JSON?", "RFC 8259", format!("Yes: an object with {} field{}.", ms.len(), crate::sim::plural(ms.len())));
                    ms
                }
            }
        } else {
            Vec::new()
        };
        self.act(req, route, who, &members, w)
    }

    fn act(&mut self, req: &Request, route: Route, who: Option<(u32, &'static str, bool)>, members: &[(String, TokenKind)], w: &mut Walk) -> Response {
        let m = req.method.as_str();
        let now = self.clock;
        match (route, m) {
            (Route::Products, "GET" | "HEAD") => {
                let list: Vec<String> = self.products.iter().map(Product::json).collect();
                let sum: u32 = self.products.iter().map(|p| p.version * 31 + p.id).sum();
                w.decide("Respond", "RFC 9110 §9.3.1", format!("200 OK with all {} products. The ETag is weak (W/): the list is equivalent, not byte-for-byte fixed.", self.products.len()));
                let mut r = ok(200, format!("[{}]", list.join(", ")));
                r.headers.push(("ETag".into(), format!("W/\"list-{}-{sum}\"", self.products.len())));
                r
            }
            (Route::Product(id), "GET" | "HEAD") => {
                let p = self.product(id).cloned().unwrap_or_else(|| unreachable_product(id));
                w.decide("Respond", "RFC 9110 §9.3.1", format!("200 OK with product {id}, its ETag {} and Last-Modified date: keep them to ask “has it changed?” next time.", p.etag()));
                let mut r = ok(200, p.json());
                r.headers.push(("ETag".into(), p.etag()));
                r.headers.push(("Last-Modified".into(), http_date(p.modified)));
                r.headers.push(("Cache-Control".into(), "no-cache".into()));
                r
            }
            (Route::Products, "POST") => match product_fields(members, false) {
                Err(errors) => {
                    w.decide("Fields valid?", "RFC 9110 §15.5.21", format!("No: {}. 422 Unprocessable Content, listing each field.", summary(&errors)));
                    field_errors(&errors)
                }
                Ok((name, price, stock)) => {
                    let p = Product { id: self.next_product, name: name.unwrap_or_default(), price: price.unwrap_or(0), stock: stock.unwrap_or(0), version: 1, modified: now };
                    self.next_product += 1;
                    w.decide("Create", "RFC 9110 §15.3.2", format!("Created product {}: 201 Created, and Location says where it lives. Send this POST again and you get another product.", p.id));
                    let mut r = ok(201, p.json());
                    r.headers.push(("Location".into(), format!("/api/products/{}", p.id)));
                    r.headers.push(("ETag".into(), p.etag()));
                    self.products.push(p);
                    r
                }
            },
            (Route::Product(id), "PUT" | "PATCH") => match product_fields(members, m == "PATCH") {
                Err(errors) => {
                    let hint = if m == "PUT" { " PUT replaces the whole product, so every field is needed." } else { "" };
                    w.decide("Fields valid?", "RFC 9110 §15.5.21", format!("No: {}.{hint} 422 Unprocessable Content.", summary(&errors)));
                    field_errors(&errors)
                }
                Ok((name, price, stock)) => {
                    let Some(p) = self.products.iter_mut().find(|p| p.id == id) else { return problem(404, "no such product") };
                    let before = p.clone();
                    if let Some(n) = name {
                        p.name = n;
                    }
                    if let Some(v) = price {
                        p.price = v;
                    }
                    if let Some(v) = stock {
                        p.stock = v;
                    }
                    let same = p.name == before.name && p.price == before.price && p.stock == before.stock;
                    if !same {
                        p.version += 1;
                        p.modified = now;
                    }
                    let what = if m == "PUT" { "replaced" } else { "updated" };
                    let again = if same { " Nothing changed, as sending the same PUT twice should leave it." } else { "" };
                    w.decide("Update", if m == "PUT" { "RFC 9110 §9.3.4" } else { "RFC 5789 §2" }, format!("Product {id} {what}: 200 OK with the new ETag {}.{again}", p.etag()));
                    let mut r = ok(200, p.json());
                    r.headers.push(("ETag".into(), p.etag()));
                    r
                }
            },
            (Route::Product(id), "DELETE") => {
                if self.orders.iter().any(|o| o.product == id) {
                    w.decide("No conflict?", "RFC 9110 §15.5.10", format!("Product {id} appears in orders, which must keep pointing at it: 409 Conflict."));
                    return problem(409, "orders refer to this product");
                }
                self.products.retain(|p| p.id != id);
                w.decide("Delete", "RFC 9110 §9.3.5", format!("Product {id} deleted: 204 No Content. A second DELETE finds nothing (404), yet leaves the shop the same: DELETE is idempotent."));
                ok(204, String::new())
            }
            (Route::UserOrders(u), "GET" | "HEAD") => {
                let list: Vec<String> = self.orders.iter().filter(|o| o.user == u).map(Order::json).collect();
                w.decide("Respond", "RFC 9110 §9.3.1", format!("200 OK with user {u}'s {} order{}.", list.len(), crate::sim::plural(list.len())));
                ok(200, format!("[{}]", list.join(", ")))
            }
            (Route::UserStats(u), "GET" | "HEAD") => {
                let mine: Vec<&Order> = self.orders.iter().filter(|o| o.user == u).collect();
                let total: u32 = mine.iter().map(|o| o.total).sum();
                // The handler's bug, kept on purpose: it divides by the number of orders.
                match total.checked_div(mine.len() as u32) {
                    Some(avg) => {
                        w.decide("Respond", "RFC 9110 §9.3.1", format!("200 OK: {} order{}, {avg} cents each on average.", mine.len(), crate::sim::plural(mine.len())));
                        ok(200, format!("{{\"orders\": {}, \"spent\": {total}, \"average\": {avg}}}", mine.len()))
                    }
                    None => {
                        w.decide("Handler ran?", "RFC 9110 §15.6.1", format!("The handler divided by user {u}'s number of orders, which is zero, and crashed. 500 Internal Server Error: the request was fine, the server's code was not. The detail stays in the server's log, not in the answer."));
                        problem(500, "something went wrong on our side")
                    }
                }
            }
            (Route::OrderOne(o), "GET" | "HEAD") => {
                let order = self.orders.iter().find(|x| x.id == o).map(Order::json).unwrap_or_default();
                w.decide("Respond", "RFC 9110 §9.3.1", format!("200 OK with order {o}."));
                ok(200, order)
            }
            (Route::Orders, "POST") => self.order(req, who, members, w),
            _ => problem(405, "method not allowed"),
        }
    }

    fn order(&mut self, req: &Request, who: Option<(u32, &'static str, bool)>, members: &[(String, TokenKind)], w: &mut Walk) -> Response {
        let Some((uid, name, _)) = who else { return problem(401, "sign in") };
        let key = req.header("idempotency-key").map(str::to_string);
        if let Some(k) = &key {
            if let Some((_, _, body, first)) = self.idempotency.iter().find(|(u, kk, _, _)| *u == uid && kk == k) {
                if *body != req.body {
                    w.decide("Key reused?", "draft-ietf-httpapi-idempotency-key-header §2.7", format!("Idempotency-Key {k} was used before with a different body: 422, and nothing is ordered."));
                    return problem(422, "this Idempotency-Key was used with a different request");
                }
                w.decide("Key seen before?", "draft-ietf-httpapi-idempotency-key-header §2.6", format!("Yes: {name} sent Idempotency-Key {k} before, so the server does not order again; it replays the first answer ({}), marked Idempotent-Replayed as Stripe's API does. A retry after a lost response is safe.", first.status));
                let mut r = first.clone();
                r.headers.retain(|(n, _)| n != "Date" && n != "Content-Length");
                r.headers.push(("Idempotent-Replayed".into(), "true".into()));
                return r;
            }
            w.pass("Key seen before?", "draft-ietf-httpapi-idempotency-key-header §2.6", format!("No: Idempotency-Key {k} is new; the server will remember this answer under it."));
        }
        let (mut product, mut quantity, mut errors) = (None, None, Vec::new());
        for (k, v) in members {
            match k.as_str() {
                "product" => match whole(v, 1, 999_999) {
                    Ok(n) => product = Some(n),
                    Err(e) => errors.push(("product".to_string(), e)),
                },
                "quantity" => match whole(v, 1, 10) {
                    Ok(n) => quantity = Some(n),
                    Err(e) => errors.push(("quantity".to_string(), e)),
                },
                other => errors.push((other.to_string(), "is not a field of an order".to_string())),
            }
        }
        if product.is_none() && !errors.iter().any(|e| e.0 == "product") {
            errors.push(("product".into(), "is required".into()));
        }
        if quantity.is_none() && !errors.iter().any(|e| e.0 == "quantity") {
            errors.push(("quantity".into(), "is required".into()));
        }
        if let Some(pid) = product {
            if self.product(pid).is_none() {
                errors.push(("product".into(), format!("there is no product {pid}")));
            }
        }
        let res = if !errors.is_empty() {
            w.decide("Fields valid?", "RFC 9110 §15.5.21", format!("No: {}. 422 Unprocessable Content.", summary(&errors)));
            field_errors(&errors)
        } else {
            let (pid, q) = (product.unwrap_or(0), quantity.unwrap_or(0));
            let now = self.clock;
            let p = self.products.iter_mut().find(|p| p.id == pid);
            match p {
                Some(p) if p.stock >= q => {
                    p.stock -= q;
                    p.version += 1;
                    p.modified = now;
                    let o = Order { id: self.next_order, user: uid, product: pid, quantity: q, total: q * p.price };
                    self.next_order += 1;
                    let dup = if key.is_none() { " Without an Idempotency-Key, sending it again orders again." } else { "" };
                    w.decide("Create", "RFC 9110 §15.3.2", format!("Order {} placed: {q} × {}, stock now {}. 201 Created with Location.{dup}", o.id, p.name, p.stock));
                    let mut r = ok(201, o.json());
                    r.headers.push(("Location".into(), format!("/api/orders/{}", o.id)));
                    self.orders.push(o);
                    r
                }
                Some(p) => {
                    w.decide("No conflict?", "RFC 9110 §15.5.10", format!("Only {} {} left, fewer than {q}: 409 Conflict. The request was fine; the shop's state is what stands in the way.", p.stock, p.name));
                    problem(409, "not enough stock")
                }
                None => problem(404, "no such product"),
            }
        };
        if let Some(k) = key {
            self.idempotency.push((uid, k, req.body.clone(), res.clone()));
        }
        res
    }
}

fn unreachable_product(id: u32) -> Product {
    Product { id, name: String::new(), price: 0, stock: 0, version: 0, modified: 0 }
}

fn summary(errors: &[(String, String)]) -> String {
    errors.iter().map(|(f, m)| format!("{f} {m}")).collect::<Vec<_>>().join("; ")
}
