//! Cookies as RFC 6265bis has browsers store and send them: a `Set-Cookie` line read into a
//! cookie, and the rules that decide whether it goes with a request (domain, path, Secure,
//! SameSite). Missing SameSite is treated as Lax, as Chrome and Edge do (Firefox and Safari
//! send such a cookie cross-site, as `None`; Chrome also makes a two-minute exception for
//! top-level POSTs after a cookie is set, which this model leaves out).

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
}

impl Cookie {
    /// The `Set-Cookie` value that makes this cookie.
    pub fn set_cookie(&self) -> String {
        let mut s = format!("{}={}", self.name, self.value);
        if self.domain_attr {
            s.push_str(&format!("; Domain={}", self.host));
        }
        s.push_str(&format!("; Path={}", self.path));
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

/// Reads a `Set-Cookie` value received from `host` over HTTPS (RFC 6265bis §5.6), or says why
/// the browser ignores it.
pub fn parse(line: &str, host: &str) -> Result<Cookie, String> {
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
    let mut c = Cookie { name: name.into(), value: value.trim().trim_matches('"').into(), host: host.into(), domain_attr: false, path: "/".into(), secure: false, http_only: false, same_site: SameSite::Unset };
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
            "path" if v.starts_with('/') => {
                c.path = v.into();
                path_set = true;
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

/// The cookies from `jar` that go with a request to `host` at path "/" over HTTPS, given
/// whether the request is same-site, and whether it is a cross-site top-level navigation
/// with a safe method (the case Lax allows). Returns the `name=value` pairs and a reason.
pub fn attach(jar: &[Cookie], host: &str, same_site: bool, safe_navigation: bool) -> (Vec<String>, String) {
    let mut sent = Vec::new();
    let mut why = Vec::new();
    for c in jar {
        let covers = if c.domain_attr { domain_match(host, &c.host) } else { host == c.host };
        if !covers {
            why.push(format!("{} belongs to {}, not {host}", c.name, c.host));
            continue;
        }
        let (go, reason) = match (c.same_site, same_site) {
            (_, true) => (true, "the request is same-site".to_string()),
            (SameSite::None, false) => (true, "SameSite=None lets it go with cross-site requests".to_string()),
            (SameSite::Strict, false) => (false, "SameSite=Strict keeps it off every cross-site request".to_string()),
            (s @ (SameSite::Lax | SameSite::Unset), false) => {
                let label = if s == SameSite::Unset { "with no SameSite, Chrome and Edge treat it as Lax, and Lax" } else { "SameSite=Lax" };
                if safe_navigation {
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
