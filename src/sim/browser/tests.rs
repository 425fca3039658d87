//! The browser's rules against the Fetch standard's definitions and RFC 6265bis's cookie
//! rules, case by case, and each preset's story.

use super::cookies::{self, domain_match, SameSite};
use super::*;

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
    let c = cookies::parse("sid=abc; Path=/; Secure; HttpOnly; SameSite=Strict", "api.shop.example").unwrap();
    assert_eq!((c.secure, c.http_only, c.same_site, c.domain_attr), (true, true, SameSite::Strict, false));
    assert_eq!(cookies::parse("sid=abc; Domain=.shop.example", "api.shop.example").unwrap().host, "shop.example");
    assert!(cookies::parse("sid=abc; Domain=evil.example", "api.shop.example").is_err(), "a host cannot set a cookie for another site");
    assert!(cookies::parse("sid=abc; Domain=example", "api.shop.example").is_err(), "nor for a public suffix");
    assert!(cookies::parse("sid=abc; SameSite=None", "api.shop.example").is_err(), "None needs Secure");
    assert!(cookies::parse("__Host-sid=abc; Secure; Path=/; Domain=shop.example", "api.shop.example").is_err());
    assert!(cookies::parse("__host-sid=abc; Secure", "api.shop.example").is_err(), "the prefix matches in any case, and needs Path=/ written");
    assert!(cookies::parse("__Host-sid=abc; Secure; Path=/", "api.shop.example").is_ok());
    assert!(cookies::parse("no equals sign", "a.example").is_err());
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
        let c = cookies::Cookie { name: "s".into(), value: "v".into(), host: "api.shop.example".into(), domain_attr: false, path: "/".into(), secure: true, http_only: false, same_site: s };
        assert_eq!(!cookies::attach(&[c.clone()], "api.shop.example", same, nav).0.is_empty(), sent, "{s:?} same-site {same} navigation {nav}");
        assert!(cookies::attach(&[c], "www.shop.example", true, false).0.is_empty(), "a host-only cookie stays on its host");
        let back = cookies::parse(&cookies::Cookie { name: "s".into(), value: "v".into(), host: "api.shop.example".into(), domain_attr: false, path: "/".into(), secure: true, http_only: true, same_site: s }.set_cookie(), "api.shop.example").unwrap();
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
