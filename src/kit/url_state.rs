//! Widget state in the URL's query string, so any moment of any widget can be shared.
//!
//! Each widget instance owns the keys `INSTANCE.SETTING` (for example `json-inspector.step=4`).
//! Reading never fails: a value that does not parse falls back to the setting's default and
//! yields a [`Notice`] the widget shows. Writing replaces only the instance's own keys and
//! leaves every other pair, in order, as it was.

use super::catalog::{ParamValue, WidgetSpec};

/// A setting from the URL that could not be used, in words for the reader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub key: String,
    pub message: String,
}

/// Splits a query string (with or without its leading `?`) into decoded pairs.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    let query = query.strip_prefix('?').unwrap_or(query);
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(part), String::new()),
        })
        .collect()
}

/// Joins pairs into a query string with a leading `?`, or an empty string for no pairs.
pub fn encode_query(pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let body: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
    format!("?{}", body.join("&"))
}

/// The typed settings of one widget instance, read from query pairs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WidgetState {
    pub values: Vec<(&'static str, ParamValue)>,
    pub notices: Vec<Notice>,
}

impl WidgetState {
    pub fn get(&self, key: &str) -> Option<&ParamValue> {
        self.values.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    pub fn int(&self, key: &str) -> Option<i64> {
        match self.get(key) {
            Some(ParamValue::Int(n)) => Some(*n),
            _ => None,
        }
    }

    pub fn flag(&self, key: &str) -> Option<bool> {
        match self.get(key) {
            Some(ParamValue::Flag(b)) => Some(*b),
            _ => None,
        }
    }

    pub fn text(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(ParamValue::Text(s)) => Some(s),
            Some(ParamValue::Choice(s)) => Some(s),
            _ => None,
        }
    }
}

/// Reads the settings of `instance` (a widget of kind `spec`), layering `base` (the content
/// directive's settings, already valid) under the URL's own values.
pub fn read(spec: &WidgetSpec, instance: &str, base: &[(&str, &str)], pairs: &[(String, String)]) -> WidgetState {
    let prefix = format!("{instance}.");
    let mut notices = Vec::new();
    let mut values = Vec::new();
    for key in spec.keys() {
        let Some(param) = spec.param(key) else { continue };
        let mut value = base
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, raw)| param.parse(raw).ok())
            .unwrap_or_else(|| param.default_value());
        if let Some((_, raw)) = pairs.iter().rev().find(|(k, _)| k.strip_prefix(&prefix) == Some(key)) {
            match param.parse(raw) {
                Ok(v) => value = v,
                Err(why) => notices.push(Notice { key: key.to_string(), message: why }),
            }
        }
        values.push((key, value));
    }
    for (k, _) in pairs {
        if let Some(key) = k.strip_prefix(&prefix) {
            if spec.param(key).is_none() && !notices.iter().any(|n| n.key == key) {
                notices.push(Notice { key: key.chars().take(40).collect(), message: "this widget has no such setting".into() });
            }
        }
    }
    WidgetState { values, notices }
}

/// Replaces every `instance.*` pair with `settings`, keeping all other pairs in place.
pub fn write(pairs: &[(String, String)], instance: &str, settings: &[(&str, String)]) -> Vec<(String, String)> {
    let prefix = format!("{instance}.");
    let mut out: Vec<(String, String)> = pairs.iter().filter(|(k, _)| !k.starts_with(&prefix)).cloned().collect();
    out.extend(settings.iter().map(|(k, v)| (format!("{prefix}{k}"), v.clone())));
    out
}

/// True when both lists hold the same pairs, in any order.
pub fn same_pairs(a: &[(String, String)], b: &[(String, String)]) -> bool {
    let mut a: Vec<_> = a.iter().collect();
    let mut b: Vec<_> = b.iter().collect();
    a.sort();
    b.sort();
    a == b
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::catalog::JSON_INSPECTOR;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_pairs_survive_a_round_trip(pairs in proptest::collection::vec(("\\PC{0,12}", "\\PC{0,30}"), 0..6)) {
            let pairs: Vec<(String, String)> = pairs.into_iter().filter(|(k, _)| !k.is_empty()).collect();
            prop_assert_eq!(parse_query(&encode_query(&pairs)), pairs);
        }

        #[test]
        fn decoding_any_string_never_panics(s in "\\PC{0,60}") {
            let _ = parse_query(&s);
        }
    }

    #[test]
    fn plus_is_a_space_and_bad_escapes_stay_literal() {
        assert_eq!(parse_query("?a=b+c&d=%zz&e=%4"), vec![
            ("a".into(), "b c".into()),
            ("d".into(), "%zz".into()),
            ("e".into(), "%4".into()),
        ]);
    }

    #[test]
    fn reading_falls_back_per_key_with_a_notice() {
        let pairs = parse_query("?json-inspector.step=abc&json-inspector.preset=user&json-inspector.nope=1&other.step=5");
        let s = read(&JSON_INSPECTOR, "json-inspector", &[], &pairs);
        assert_eq!(s.int("step"), Some(0));
        assert_eq!(s.text("preset"), Some("user"));
        assert_eq!(s.notices.len(), 2);
        assert_eq!(s.notices[0].key, "step");
        assert_eq!(s.notices[1].key, "nope");
    }

    #[test]
    fn url_overrides_directive_which_overrides_default() {
        let none = read(&JSON_INSPECTOR, "j", &[], &[]);
        assert_eq!(none.text("preset"), Some("order"));
        let base = read(&JSON_INSPECTOR, "j", &[("preset", "types")], &[]);
        assert_eq!(base.text("preset"), Some("types"));
        let url = read(&JSON_INSPECTOR, "j", &[("preset", "types")], &parse_query("j.preset=broken"));
        assert_eq!(url.text("preset"), Some("broken"));
    }

    #[test]
    fn same_pairs_ignores_order_only() {
        let a = parse_query("x=1&y=2");
        assert!(same_pairs(&a, &parse_query("y=2&x=1")));
        assert!(!same_pairs(&a, &parse_query("y=2&x=3")));
        assert!(!same_pairs(&a, &parse_query("x=1")));
    }

    #[test]
    fn writing_touches_only_its_own_keys() {
        let pairs = parse_query("?a.step=1&j.step=2&b=3&j.seed=9");
        let out = write(&pairs, "j", &[("step", "7".into())]);
        assert_eq!(encode_query(&out), "?a.step=1&b=3&j.step=7");
    }
}
