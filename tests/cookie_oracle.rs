//! Every `Set-Cookie` line the browser model accepts, read again by an independent parser (the
//! `cookie` crate), must give the same name, value and attributes. Lines are generated with
//! random attribute order, case and spacing, and with junk and repeated attributes.

use proptest::prelude::*;
use techbasics::sim::browser::cookies::{self, SameSite};

const HOST: &str = "api.shop.example";
/// When the lines are received, in seconds since 1970 (Tue, 01 Dec 2026 09:00:00 GMT).
const NOW: i64 = 1_796_115_600;

fn agree(line: &str) {
    let Ok(ours) = cookies::parse(line, HOST, "/api/session", NOW) else { return };
    let theirs = cookie::Cookie::parse(line).unwrap_or_else(|e| panic!("the oracle refuses {line:?}: {e}"));
    assert_eq!(ours.name, theirs.name(), "name in {line:?}");
    assert_eq!(ours.value, theirs.value_trimmed(), "value in {line:?}");
    assert_eq!(ours.secure, theirs.secure().unwrap_or(false), "Secure in {line:?}");
    assert_eq!(ours.http_only, theirs.http_only().unwrap_or(false), "HttpOnly in {line:?}");
    let same_site = match theirs.same_site() {
        None => SameSite::Unset,
        Some(cookie::SameSite::Lax) => SameSite::Lax,
        Some(cookie::SameSite::Strict) => SameSite::Strict,
        Some(cookie::SameSite::None) => SameSite::None,
    };
    // One known difference: RFC 6265bis §5.6.7 turns a SameSite value it does not know into
    // "Default" (no SameSite), and the last SameSite attribute wins (§5.7); the crate ignores
    // an unknown value and keeps an earlier one. Where the last SameSite is unknown, the RFC
    // is followed.
    let last_unknown = line.split(';').filter_map(|a| a.split_once('=')).filter(|(k, _)| k.trim().eq_ignore_ascii_case("samesite")).last().is_some_and(|(_, v)| !["lax", "strict", "none"].contains(&v.trim().to_ascii_lowercase().as_str()));
    assert_eq!(ours.same_site, if last_unknown { SameSite::Unset } else { same_site }, "SameSite in {line:?}");
    // The crate keeps any Path; a browser uses only one that starts with "/", else the default.
    match theirs.path() {
        Some(p) if p.starts_with('/') => assert_eq!(ours.path, p, "Path in {line:?}"),
        _ => assert_eq!(ours.path, "/api", "default path in {line:?}"),
    }
    match theirs.domain() {
        Some(d) if !d.is_empty() => assert_eq!((ours.domain_attr, ours.host.as_str()), (true, d.to_ascii_lowercase().as_str()), "Domain in {line:?}"),
        _ => assert!(!ours.domain_attr, "Domain in {line:?}"),
    }
    // Max-Age wins over Expires; the crate reads a negative Max-Age as zero.
    let want = match (theirs.max_age(), theirs.expires_datetime()) {
        (Some(age), _) => Some(if age.whole_seconds() <= 0 { None } else { Some(NOW + age.whole_seconds()) }),
        (None, Some(at)) => Some(Some(at.unix_timestamp())),
        (None, None) => None,
    };
    match want {
        // Zero or less: both expire it at once.
        Some(None) => assert!(ours.expiry.is_some_and(|e| e <= NOW), "Max-Age<=0 in {line:?}"),
        // The second known difference: a browser caps a cookie's life at 400 days from now
        // (RFC 6265bis §5.6.1); the crate only parses the attribute.
        Some(Some(t)) => assert_eq!(ours.expiry, Some(t.min(NOW + cookies::AGE_LIMIT)), "expiry in {line:?}"),
        None => assert_eq!(ours.expiry, None, "no expiry in {line:?}"),
    }
}

#[test]
fn known_lines_agree() {
    for line in [
        "session=tok_ben; Path=/; Secure; HttpOnly; SameSite=Lax",
        "sid=\"quoted\"; Max-Age=3600",
        "a=b; Max-Age=0",
        "a=b; Max-Age=-1; Secure",
        "a=b; Expires=Wed, 02 Dec 2026 09:00:00 GMT",
        "a=b; expires=Wed, 02 Dec 2026 09:00:00 GMT; max-age=60",
        "a=b; Domain=.shop.example; path=/api/users",
        "a=b; DOMAIN=SHOP.EXAMPLE; SAMESITE=STRICT; SECURE",
        "a=b; Path=relative",
        "a=b;Secure;HttpOnly",
        "a=b; SameSite=None; Secure",
        "a=b; SameSite=sideways",
        "a=; Path=/",
        "__Host-a=b; Secure; Path=/",
    ] {
        agree(line);
    }
}

fn attribute() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Secure".to_string()),
        Just("HttpOnly".to_string()),
        prop::sample::select(vec!["Lax", "Strict", "None", "lax", "bogus"]).prop_map(|v| format!("SameSite={v}")),
        prop::sample::select(vec!["/", "/api", "/api/users/", "/a b", "x"]).prop_map(|v| format!("Path={v}")),
        prop::sample::select(vec!["shop.example", ".shop.example", "api.shop.example", "SHOP.example"]).prop_map(|v| format!("Domain={v}")),
        (0i64..100_000_000).prop_map(|n| format!("Max-Age={n}")),
        (1i64..1000).prop_map(|n| format!("Max-Age=-{n}")),
        (0u64..4_000_000_000).prop_map(|t| format!("Expires={}", techbasics::sim::http::wire::http_date(t.max(86_400)))),
        Just("Priority=High".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn generated_lines_agree(
        name in "[a-zA-Z_][a-zA-Z0-9_-]{0,8}",
        value in "[a-zA-Z0-9_.~-]{0,12}",
        attrs in prop::collection::vec((attribute(), prop::sample::select(vec!["; ", ";", " ; "]), any::<bool>()), 0..6),
    ) {
        let mut line = format!("{name}={value}");
        for (a, sep, lower) in attrs {
            line.push_str(sep);
            line.push_str(&if lower { a.to_ascii_lowercase() } else { a });
        }
        agree(&line);
    }
}
