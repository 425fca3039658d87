//! Cookies as RFC 6265bis has browsers store and send them: a `Set-Cookie` line read into a
//! cookie, and the rules that decide whether it goes with a request (domain, path, expiry,
//! Secure, SameSite). Time is a simulated clock in seconds since 1970, passed in. Missing
//! SameSite is treated as Lax, as Chrome and Edge do (Firefox and Safari send such a cookie
//! cross-site, as `None`; Chrome also makes a two-minute exception for top-level POSTs after a
//! cookie is set, which this model leaves out).

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SameSite {
    /// No SameSite attribute: browsers treat it as Lax.
    Unset,
    Lax,
    Strict,
    None,
}

impl SameSite {
    pub const KEYS: [&'static str; 4] = ["unset", "lax", "strict", "none"];
    pub fn key(self) -> &'static str {
        Self::KEYS[self as usize]
    }
    pub fn from_key(k: &str) -> Option<SameSite> {
        Some(match k {
            "unset" => SameSite::Unset,
            "lax" => SameSite::Lax,
            "strict" => SameSite::Strict,
            "none" => SameSite::None,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cookie {
    pub name: String,
    pub value: String,
    /// The host that set it, or the Domain attribute's value.
    pub host: String,
    /// Whether a Domain attribute widened it to subdomains.
    pub domain_attr: bool,
    pub path: String,
    pub secure: bool,
    pub http_only: bool,
    pub same_site: SameSite,
    /// When it expires, in seconds since 1970; `None` for a session cookie, which lasts
    /// until the browser closes.
    pub expiry: Option<i64>,
}

impl Cookie {
    /// The `Set-Cookie` value that makes this cookie when sent at `now`.
    pub fn set_cookie(&self, now: i64) -> String {
        let mut s = format!("{}={}", self.name, self.value);
        if self.domain_attr {
            s.push_str(&format!("; Domain={}", self.host));
        }
        s.push_str(&format!("; Path={}", self.path));
        if let Some(e) = self.expiry {
            s.push_str(&format!("; Max-Age={}", (e - now).max(0)));
        }
        if self.secure {
            s.push_str("; Secure");
        }
        if self.http_only {
            s.push_str("; HttpOnly");
        }
        match self.same_site {
            SameSite::Unset => {}
            SameSite::Lax => s.push_str("; SameSite=Lax"),
            SameSite::Strict => s.push_str("; SameSite=Strict"),
            SameSite::None => s.push_str("; SameSite=None"),
        }
        s
    }
}

/// The default path (RFC 6265bis §5.1.4) for a cookie set by a response to `request_path`:
/// the path up to, not including, its last slash, or "/" when that leaves nothing.
pub fn default_path(request_path: &str) -> String {
    let path = request_path.split(['?', '#']).next().unwrap_or("");
    match path.rfind('/') {
        Some(i) if path.starts_with('/') && i > 0 => path[..i].to_string(),
        _ => "/".to_string(),
    }
}

/// Path matching (RFC 6265bis §5.1.4): the cookie's path is the request's, or a prefix of it
/// that ends in "/" or is followed in the request by "/". So Path=/api covers /api/orders
/// but not /apiary.
pub fn path_match(request_path: &str, cookie_path: &str) -> bool {
    let rp = request_path.split(['?', '#']).next().unwrap_or("");
    rp == cookie_path || (rp.starts_with(cookie_path) && (cookie_path.ends_with('/') || rp.as_bytes().get(cookie_path.len()) == Some(&b'/')))
}

/// The longest a browser keeps a cookie, in seconds: 400 days (RFC 6265bis §5.6.1).
pub const AGE_LIMIT: i64 = 400 * 86_400;

/// Reads a `Set-Cookie` value received at `now` from `host` over HTTPS, in answer to a request
/// for `request_path` (RFC 6265bis §5.6 and §5.7), or says why the browser ignores it.
/// `Expires` is read as an HTTP-date (the forms servers send), a simplification of the
/// RFC's more forgiving cookie-date; `Max-Age` wins over `Expires` whichever comes first.
pub fn parse(line: &str, host: &str, request_path: &str, now: i64) -> Result<Cookie, String> {
    let mut parts = line.split(';');
    let pair = parts.next().unwrap_or("").trim();
    let Some((name, value)) = pair.split_once('=') else {
        return Err("a cookie needs name=value before any attribute".into());
    };
    let name = name.trim();
    if name.is_empty() {
        return Err("a cookie with no name".into());
    }
    let mut path_set = false;
    let (mut max_age, mut expires) = (None, None);
    let mut c = Cookie { name: name.into(), value: value.trim().trim_matches('"').into(), host: host.into(), domain_attr: false, path: default_path(request_path), secure: false, http_only: false, same_site: SameSite::Unset, expiry: None };
    for attr in parts {
        let (k, v) = attr.split_once('=').map_or((attr.trim(), ""), |(k, v)| (k.trim(), v.trim()));
        match k.to_ascii_lowercase().as_str() {
            "domain" => {
                let d = v.trim_start_matches('.').to_ascii_lowercase();
                if d.is_empty() {
                    continue;
                }
                // The domain must be the host or a parent of it, and not a public suffix.
                if !domain_match(host, &d) {
                    return Err(format!("Domain={d} does not cover {host}, which set it; the browser ignores the cookie"));
                }
                if !d.contains('.') {
                    return Err(format!("Domain={d} is a public suffix; the browser ignores the cookie"));
                }
                c.host = d;
                c.domain_attr = true;
            }
            // A Path that does not start with "/" counts as absent: the default path.
            "path" => {
                c.path = if v.starts_with('/') { v.into() } else { default_path(request_path) };
                path_set = v.starts_with('/');
            }
            // Max-Age: an optional "-" then digits, else ignored (§5.6.2); zero or less means
            // already expired, which is how a server deletes a cookie.
            "max-age" => {
                let digits = v.strip_prefix('-').unwrap_or(v);
                if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                    let n = digits.parse::<i64>().unwrap_or(i64::MAX / 4).min(i64::MAX / 4);
                    max_age = Some(if v.starts_with('-') { -n } else { n });
                }
            }
            "expires" => {
                if let Some(t) = super::super::http::wire::parse_http_date(v) {
                    expires = Some(t.min(i64::MAX as u64 / 4) as i64);
                }
            }
            "secure" => c.secure = true,
            "httponly" => c.http_only = true,
            "samesite" => {
                c.same_site = match v.to_ascii_lowercase().as_str() {
                    "strict" => SameSite::Strict,
                    "lax" => SameSite::Lax,
                    "none" => SameSite::None,
                    _ => SameSite::Unset,
                }
            }
            _ => {}
        }
    }
    // A browser keeps a cookie at most 400 days from when it was set, whatever the server
    // asks (§5.6.1 and §5.6.2; Chrome has enforced it since 2022).
    c.expiry = match (max_age, expires) {
        (Some(n), _) if n <= 0 => Some(i64::MIN / 4),
        (Some(n), _) => Some(now.saturating_add(n.min(AGE_LIMIT))),
        (None, e) => e.map(|e| e.min(now.saturating_add(AGE_LIMIT))),
    };
    if c.same_site == SameSite::None && !c.secure {
        return Err("SameSite=None without Secure: browsers refuse such a cookie".into());
    }
    if c.name.len() >= 7 && c.name[..7].eq_ignore_ascii_case("__Host-") && (!c.secure || c.domain_attr || !path_set || c.path != "/") {
        return Err("a __Host- cookie must be Secure, with an explicit Path=/ and no Domain".into());
    }
    Ok(c)
}

/// Domain matching (RFC 6265bis §5.1.3): the host is the domain, or ends with "." and it.
pub fn domain_match(host: &str, domain: &str) -> bool {
    host == domain || (host.len() > domain.len() && host.ends_with(domain) && host.as_bytes()[host.len() - domain.len() - 1] == b'.')
}

/// A request a cookie might go with: to `host` at `path` over HTTPS, at `now`, whether it is
/// same-site, and whether it is a cross-site top-level navigation with a safe method (the case
/// Lax allows).
pub struct Outgoing<'a> {
    pub host: &'a str,
    pub path: &'a str,
    pub now: i64,
    pub same_site: bool,
    pub safe_navigation: bool,
}

/// Whether a cookie has expired at `now`: its expiry is not in the future (§5.7).
pub fn expired(c: &Cookie, now: i64) -> bool {
    c.expiry.is_some_and(|e| e <= now)
}

/// The cookies from `jar` that go with a request, as `name=value` pairs, and why each went or
/// stayed home.
pub fn attach(jar: &[Cookie], rq: &Outgoing) -> (Vec<String>, String) {
    let host = rq.host;
    let mut sent = Vec::new();
    let mut why = Vec::new();
    for c in jar {
        if expired(c, rq.now) {
            why.push(format!("{} expired, so the browser deleted it", c.name));
            continue;
        }
        let covers = if c.domain_attr { domain_match(host, &c.host) } else { host == c.host };
        if !covers {
            why.push(format!("{} belongs to {}, not {host}", c.name, c.host));
            continue;
        }
        if !path_match(rq.path, &c.path) {
            why.push(format!("{} has Path={}, which does not cover {}", c.name, c.path, rq.path));
            continue;
        }
        let (go, reason) = match (c.same_site, rq.same_site) {
            (_, true) => (true, "the request is same-site".to_string()),
            (SameSite::None, false) => (true, "SameSite=None lets it go with cross-site requests".to_string()),
            (SameSite::Strict, false) => (false, "SameSite=Strict keeps it off every cross-site request".to_string()),
            (s @ (SameSite::Lax | SameSite::Unset), false) => {
                let label = if s == SameSite::Unset { "with no SameSite, Chrome and Edge treat it as Lax, and Lax" } else { "SameSite=Lax" };
                if rq.safe_navigation {
                    (true, format!("{label} lets it go with a cross-site link or GET form that opens a page"))
                } else {
                    (false, format!("{label} keeps it off cross-site requests other than a top-level GET navigation"))
                }
            }
        };
        if go {
            sent.push(format!("{}={}", c.name, c.value));
        }
        why.push(format!("{} {}: {reason}", c.name, if go { "goes" } else { "stays home" }));
    }
    (sent, why.join("; "))
}
