//! The browser's rules against the Fetch standard's definitions and RFC 6265bis's cookie
//! rules, case by case, and each preset's story.

use super::cookies::{domain_match, SameSite};
use super::*;

/// Reads a Set-Cookie line the API sent at sign-in, in answer to /api/session.
mod cookies {
    pub use super::super::cookies::*;
    pub fn parse_at(line: &str, host: &str) -> Result<Cookie, String> {
        parse(line, host, "/api/session", super::SIGNED_IN)
    }
    pub fn at(jar: &[Cookie], host: &str, same_site: bool, safe_navigation: bool) -> (Vec<String>, String) {
        attach(jar, &Outgoing { host, path: "/api/orders", now: super::SIGNED_IN, same_site, safe_navigation })
    }
}

fn last(sc: &Scenario) -> Frame {
    record(sc).pop().unwrap()
}

fn server_log(sc: &Scenario) -> Vec<String> {
    last(sc).server
}

fn script(sc: &Scenario) -> String {
    last(sc).script.unwrap_or_default()
}

fn has_stage(sc: &Scenario, s: Stage) -> bool {
    record(sc).iter().any(|f| f.stage == s)
}

#[test]
fn the_safelists_are_the_fetch_standard_s() {
    for m in ["GET", "HEAD", "POST"] {
        assert!(safelisted_method(m));
    }
    for m in ["PUT", "DELETE", "PATCH", "OPTIONS", "get"] {
        assert!(!safelisted_method(m), "{m}");
    }
    // Content-Type is safelisted only for the three types an HTML form can send.
    for (v, ok) in [("text/plain", true), ("application/x-www-form-urlencoded", true), ("multipart/form-data; boundary=x", true), ("Text/Plain;charset=utf-8", true), ("application/json", false), ("text/html", false)] {
        assert_eq!(safelisted_header("content-type", v), ok, "{v}");
    }
    assert!(safelisted_header("accept", "application/json"));
    assert!(!safelisted_header("accept", &"a".repeat(129)), "values over 128 bytes are not safelisted");
    assert!(!safelisted_header("authorization", "Bearer x"));
}

#[test]
fn the_cors_check_follows_fetch() {
    let h = |pairs: &[(&str, &str)]| pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>();
    let o = "https://www.shop.example";
    assert!(cors_check(&h(&[]), o, false).is_err());
    assert!(cors_check(&h(&[("Access-Control-Allow-Origin", "*")]), o, false).is_ok());
    assert!(cors_check(&h(&[("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true")]), o, true).is_err(), "* never with credentials");
    assert!(cors_check(&h(&[("Access-Control-Allow-Origin", o)]), o, true).is_err(), "credentials need Allow-Credentials: true");
    assert!(cors_check(&h(&[("access-control-allow-origin", o), ("access-control-allow-credentials", "true")]), o, true).is_ok());
    assert!(cors_check(&h(&[("Access-Control-Allow-Origin", "https://shop.example")]), o, false).is_err(), "origins compare exactly");
}

#[test]
fn cookies_are_read_and_sent_as_rfc_6265bis_says() {
    let c = cookies::parse_at("sid=abc; Path=/; Secure; HttpOnly; SameSite=Strict", "api.shop.example").unwrap();
    assert_eq!((c.secure, c.http_only, c.same_site, c.domain_attr), (true, true, SameSite::Strict, false));
    assert_eq!(cookies::parse_at("sid=abc; Domain=.shop.example", "api.shop.example").unwrap().host, "shop.example");
    assert!(cookies::parse_at("sid=abc; Domain=evil.example", "api.shop.example").is_err(), "a host cannot set a cookie for another site");
    assert!(cookies::parse_at("sid=abc; Domain=example", "api.shop.example").is_err(), "nor for a public suffix");
    assert!(cookies::parse_at("sid=abc; SameSite=None", "api.shop.example").is_err(), "None needs Secure");
    assert!(cookies::parse_at("__Host-sid=abc; Secure; Path=/; Domain=shop.example", "api.shop.example").is_err());
    assert!(cookies::parse_at("__host-sid=abc; Secure", "api.shop.example").is_err(), "the prefix matches in any case, and needs Path=/ written");
    assert!(cookies::parse_at("__Host-sid=abc; Secure; Path=/", "api.shop.example").is_ok());
    assert!(cookies::parse_at("no equals sign", "a.example").is_err());
    assert!(domain_match("api.shop.example", "shop.example") && !domain_match("evilshop.example", "shop.example"));
    // The SameSite table: (attribute, same-site?, cross-site safe navigation?) → sent?
    for (s, same, nav, sent) in [
        (SameSite::Strict, true, false, true),
        (SameSite::Strict, false, true, false),
        (SameSite::Lax, false, true, true),
        (SameSite::Lax, false, false, false),
        (SameSite::Unset, false, false, false),
        (SameSite::Unset, false, true, true),
        (SameSite::None, false, false, true),
    ] {
        let c = cookies::Cookie { name: "s".into(), value: "v".into(), host: "api.shop.example".into(), domain_attr: false, path: "/".into(), secure: true, http_only: false, same_site: s, expiry: None };
        assert_eq!(!cookies::at(&[c.clone()], "api.shop.example", same, nav).0.is_empty(), sent, "{s:?} same-site {same} navigation {nav}");
        assert!(cookies::at(&[c], "www.shop.example", true, false).0.is_empty(), "a host-only cookie stays on its host");
        let back = cookies::parse_at(&cookies::Cookie { name: "s".into(), value: "v".into(), host: "api.shop.example".into(), domain_attr: false, path: "/".into(), secure: true, http_only: true, same_site: s, expiry: None }.set_cookie(SIGNED_IN), "api.shop.example").unwrap();
        assert_eq!(back.same_site, s, "Set-Cookie round trip");
    }
}

#[test]
fn each_preset_tells_its_story() {
    let p = preset("simple");
    assert!(!has_stage(&p, Stage::Preflight));
    assert!(script(&p).starts_with("200"));

    // The server ran it; the browser hid it.
    let p = preset("hidden");
    assert!(server_log(&p).iter().any(|l| l.contains(": 200 OK")), "{:?}", server_log(&p));
    assert!(script(&p).starts_with("TypeError"));
    // The same with an API that echoes any Origin: Ben's orders leak to the attacker's page.
    let leak = Scenario { allow: Allow::Reflect, ..preset("hidden") };
    assert!(script(&leak).starts_with("200"));

    // JSON needs a preflight; the preflight carries no cookie, the real request does.
    let p = preset("preflight");
    let f = record(&p);
    let pre = f.iter().find(|x| x.stage == Stage::Preflight).unwrap();
    assert!(pre.wire.iter().any(|l| l == "Access-Control-Request-Headers: content-type") && !pre.wire.iter().any(|l| l.starts_with("Cookie")));
    assert!(f.iter().find(|x| x.stage == Stage::Sent).unwrap().wire.iter().any(|l| l == "Cookie: session=tok_ben"));
    assert!(server_log(&p).iter().any(|l| l.contains("201 Created")));
    assert!(script(&p).starts_with("201"));

    // Authorization not allowed: the real request never leaves, the server changes nothing.
    let p = preset("preflight-refused");
    assert_eq!(server_log(&p).len(), 1, "only the OPTIONS: {:?}", server_log(&p));
    assert!(!has_stage(&p, Stage::Sent));
    // And a * does not cover Authorization.
    let star = Scenario { allow_headers: vec!["*".into()], ..preset("preflight-refused") };
    assert!(!has_stage(&star, Stage::Sent));
    let listed = Scenario { allow_headers: vec!["content-type".into(), "authorization".into()], ..preset("preflight-refused") };
    assert!(has_stage(&listed, Stage::Sent));

    let p = preset("wildcard");
    assert!(script(&p).starts_with("TypeError"), "* with credentials is refused");
    assert!(script(&Scenario { credentials: Credentials::Omit, path: "/api/products".into(), ..p }).starts_with("200"));

    // Cross-site request forgery: Lax stops it, None lets it through.
    let lax = preset("csrf-lax");
    assert!(server_log(&lax).iter().any(|l| l.contains("401")), "{:?}", server_log(&lax));
    let none = preset("csrf-none");
    assert!(server_log(&none).iter().any(|l| l.contains("201 Created") && l.contains("order was placed")), "{:?}", server_log(&none));
    // A GET form navigation carries no Origin; a POST one does.
    let get_form = Scenario { method: "GET".into(), path: "/api/products".into(), ..preset("csrf-lax") };
    assert!(!record(&get_form).iter().any(|f| f.wire.iter().any(|l| l.starts_with("Origin:"))));
    assert!(record(&lax).iter().any(|f| f.wire.iter().any(|l| l == "Origin: https://evil.example")));
    // A PUT cannot be sent by a form at all, and a cross-site fetch PUT needs a preflight.
    let put = Scenario { via: Via::Fetch, method: "PUT".into(), path: "/api/products/1".into(), content_type: Some("application/json".into()), ..preset("csrf-none") };
    assert!(has_stage(&put, Stage::Preflight));
}

#[test]
fn every_step_is_narrated_and_a_script_outcome_is_reached() {
    for name in PRESETS {
        let f = record(&preset(name));
        assert!(f.len() >= 4, "{name}");
        assert!(f.iter().all(|x| !x.narration.is_empty()));
        assert_eq!(f.last().unwrap().stage, Stage::Stolen);
        assert!(f.last().unwrap().script.is_some(), "{name}");
    }
}

#[test]
fn paths_and_expiry_follow_rfc_6265bis() {
    use super::cookies::{default_path, expired, path_match};
    // §5.1.4: the default path is the request path up to its last slash.
    for (req, want) in [("/api/session", "/api"), ("/api/users/2/orders", "/api/users/2"), ("/", "/"), ("/login", "/"), ("", "/"), ("x/y", "/"), ("/a/b?c=/d", "/a")] {
        assert_eq!(default_path(req), want, "{req}");
    }
    for (req, path, ok) in [("/api/orders", "/api", true), ("/api", "/api", true), ("/apiary", "/api", false), ("/api/orders", "/api/", true), ("/api/orders", "/", true), ("/api/users/2/orders", "/api/users", true), ("/api/orders", "/api/users", false), ("/API/orders", "/api", false)] {
        assert_eq!(path_match(req, path), ok, "{req} under {path}");
    }
    // A cookie with no Path takes its default path from the sign-in request, /api/session.
    assert_eq!(cookies::parse_at("s=v", "api.shop.example").unwrap().path, "/api");
    assert_eq!(cookies::parse_at("s=v; Path=relative", "api.shop.example").unwrap().path, "/api", "a Path not starting with / counts as absent");
    // Max-Age wins over Expires in either order; zero or a negative number expires it at once.
    let at = |line: &str| cookies::parse_at(line, "api.shop.example").unwrap().expiry;
    assert_eq!(at("s=v; Max-Age=60"), Some(SIGNED_IN + 60));
    assert_eq!(at("s=v; Expires=Wed, 02 Dec 2026 09:00:00 GMT; Max-Age=60"), Some(SIGNED_IN + 60));
    assert_eq!(at("s=v; Max-Age=60; Expires=Wed, 02 Dec 2026 09:00:00 GMT"), Some(SIGNED_IN + 60));
    assert_eq!(at("s=v; Expires=Wed, 02 Dec 2026 09:00:00 GMT"), Some(SIGNED_IN + 86_400));
    assert!(at("s=v; Max-Age=0").is_some_and(|e| e <= SIGNED_IN));
    assert!(at("s=v; Max-Age=-5").is_some_and(|e| e <= SIGNED_IN));
    assert_eq!(at("s=v; Max-Age=soon"), None, "a Max-Age that is not a number is ignored");
    assert_eq!(at("s=v; Max-Age=99999999999999999999999"), Some(SIGNED_IN + 400 * 86_400), "huge values saturate, then the 400-day limit applies");
    assert_eq!(at("s=v; Max-Age=34560001"), Some(SIGNED_IN + 34_560_000), "400 days at most");
    assert_eq!(at("s=v; Expires=Fri, 01 Jan 2100 00:00:00 GMT"), Some(SIGNED_IN + 34_560_000), "an Expires too far ahead is brought in to 400 days");
    assert_eq!(at("s=v; Expires=tomorrow"), None);
    let c = cookies::parse_at("s=v; Max-Age=3600", "api.shop.example").unwrap();
    assert!(!expired(&c, SIGNED_IN + 3599) && expired(&c, SIGNED_IN + 3600));
    assert_eq!(c.set_cookie(SIGNED_IN), "s=v; Path=/api; Max-Age=3600");
    // An expired cookie or one whose path does not cover the request stays home.
    let jar = [c];
    let rq = |path: &'static str, now: i64| cookies::Outgoing { host: "api.shop.example", path, now, same_site: true, safe_navigation: false };
    assert_eq!(cookies::attach(&jar, &rq("/api/orders", SIGNED_IN)).0, vec!["s=v"]);
    assert!(cookies::attach(&jar, &rq("/api/orders", SIGNED_IN + 7200)).1.contains("expired"));
    assert!(cookies::attach(&jar, &rq("/shop", SIGNED_IN)).1.contains("Path=/api"));
}

#[test]
fn an_expired_or_misplaced_cookie_signs_nobody_in() {
    // An hour's cookie two hours later: no cookie, so the API answers 401.
    let p = preset("expired");
    assert!(server_log(&p).iter().any(|l| l.contains("401")), "{:?}", server_log(&p));
    let fresh = Scenario { when: When::HalfHour, ..p.clone() };
    assert!(server_log(&fresh).iter().any(|l| l.contains("200")), "{:?}", server_log(&fresh));
    // A session cookie outlives the hour, but not the browser closing.
    let session = Scenario { max_age: None, ..p.clone() };
    assert!(server_log(&session).iter().any(|l| l.contains("200")));
    let reopened = Scenario { when: When::Reopened, ..session };
    assert!(server_log(&reopened).iter().any(|l| l.contains("401")));
    assert!(server_log(&Scenario { max_age: Some(30 * 86_400), ..reopened }).iter().any(|l| l.contains("200")), "a 30-day cookie survives the night");
    // Path=/api/users covers Ben's orders list but not POST /api/orders.
    let p = preset("path");
    assert!(record(&p).iter().any(|f| f.narration.contains("Path=/api/users, which does not cover /api/orders")));
    assert!(server_log(&p).iter().any(|l| l.contains("401")), "{:?}", server_log(&p));
    assert!(server_log(&Scenario { cookie_path: "/api".into(), ..p }).iter().any(|l| l.contains("201")));
}
