//! HTTP/1.1 on the wire (RFC 9112): a request read from bytes the way a careful server reads
//! it, and a response written back as bytes. Every refusal names the byte it stopped at and
//! the status a real server would send.

/// The longest request line read (RFC 9112 §3 asks servers to take at least 8,000 octets).
pub const MAX_REQUEST_LINE: usize = 8_000;
/// The longest header section read; past it the answer is 431.
pub const MAX_HEADER_BYTES: usize = 8_192;
/// The largest body the shop accepts; past it the answer is 413.
pub const MAX_BODY: usize = 4_096;

/// A request as read off the connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub target: String,
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub minor: u8,
    /// Field names as sent; compare them with [`Request::header`], which ignores case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// How the body's end was found.
    pub framing: Framing,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// No Content-Length and no Transfer-Encoding: a request without a body.
    None,
    Length(usize),
    Chunked,
}

impl Request {
    /// The first value of a field, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Every value of a field, list members split on commas (RFC 9110 §5.3).
    pub fn list(&self, name: &str) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(',').map(|m| m.trim().to_string()).filter(|m| !m.is_empty()).collect::<Vec<_>>())
            .collect()
    }

    /// The path without its query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
}

/// Why the bytes are not a request, where, and what a server answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError {
    /// Byte offset into the request's bytes.
    pub offset: usize,
    pub status: u16,
    pub message: String,
}

fn err(offset: usize, status: u16, message: impl Into<String>) -> WireError {
    WireError { offset, status, message: message.into() }
}

/// A token character (RFC 9110 §5.6.2): what method and field names are made of.
pub fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// One line of the head: its bytes without the line end, where it starts, and where the
/// next begins. A line ends at CRLF or, as RFC 9112 §2.2 allows a recipient, a bare LF; a
/// bare CR anywhere is refused.
fn line(bytes: &[u8], from: usize) -> Result<Option<(&[u8], usize, usize)>, WireError> {
    let rest = &bytes[from..];
    let Some(lf) = rest.iter().position(|&b| b == b'\n') else {
        return Ok(None);
    };
    let mut text = &rest[..lf];
    if text.last() == Some(&b'\r') {
        text = &text[..text.len() - 1];
    }
    if let Some(cr) = text.iter().position(|&b| b == b'\r') {
        return Err(err(from + cr, 400, "a bare CR (carriage return without a line feed) inside the head; RFC 9112 §2.2 lets a server refuse it, and careful ones do, because two servers that split lines differently can be fooled into reading different requests"));
    }
    Ok(Some((text, from, from + lf + 1)))
}

/// Reads one request from the start of `bytes`. Returns it and how many bytes it used (what
/// is left over is the start of the next request on the same connection).
pub fn parse_request(bytes: &[u8]) -> Result<(Request, usize), WireError> {
    // RFC 9112 §2.2: a server should ignore empty lines before the request line.
    let mut at = 0;
    let (first, start) = loop {
        match line(bytes, at)? {
            None if bytes[at..].iter().all(|b| b.is_ascii_whitespace()) => return Err(err(at, 400, "nothing was sent: a request starts with a request line such as GET / HTTP/1.1")),
            None => return Err(err(bytes.len(), 400, "the head never ends: every line ends with CRLF, and an empty line ends the head")),
            Some((l, s, next)) if l.is_empty() => {
                at = next;
                let _ = s;
            }
            Some((l, s, next)) => {
                at = next;
                break (l, s);
            }
        }
    };
    if first.len() > MAX_REQUEST_LINE {
        return Err(err(start + MAX_REQUEST_LINE, 414, format!("the request line is {} bytes long; this server reads at most {MAX_REQUEST_LINE}", first.len())));
    }
    let (method, target, minor) = request_line(first, start)?;

    // Header fields, up to the empty line.
    let mut headers = Vec::new();
    let head_start = at;
    loop {
        let Some((l, s, next)) = line(bytes, at)? else {
            return Err(err(bytes.len(), 400, "the head never ends: an empty line must follow the last header field"));
        };
        if next - head_start > MAX_HEADER_BYTES {
            return Err(err(s, 431, format!("the header fields pass {MAX_HEADER_BYTES} bytes; the answer is 431 Request Header Fields Too Large")));
        }
        at = next;
        if l.is_empty() {
            break;
        }
        headers.push(field(l, s)?);
    }

    let mut req = Request { method, target, minor, headers, body: Vec::new(), framing: Framing::None };
    let hosts = req.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("host")).count();
    if hosts > 1 || (hosts == 0 && req.minor == 1) {
        let why = if hosts == 0 { "an HTTP/1.1 request has no Host field" } else { "the request has more than one Host field" };
        return Err(err(head_start, 400, format!("{why}; RFC 9112 §3.2 says the server must answer 400")));
    }
    req.framing = framing(&req, head_start)?;
    let used = match req.framing {
        Framing::None => at,
        Framing::Length(n) => {
            if n > MAX_BODY {
                return Err(err(head_start, 413, format!("Content-Length says {n} bytes; this server takes bodies of at most {MAX_BODY}, so it answers 413 Content Too Large without reading them")));
            }
            let have = bytes.len() - at;
            if have < n {
                return Err(err(bytes.len(), 408, format!("Content-Length says {n} bytes but only {have} arrived; the server waits for the rest, then gives up with 408 Request Timeout")));
            }
            req.body = bytes[at..at + n].to_vec();
            at + n
        }
        Framing::Chunked => {
            let (body, end) = chunked(bytes, at)?;
            req.body = body;
            end
        }
    };
    Ok((req, used))
}

fn request_line(l: &[u8], start: usize) -> Result<(String, String, u8), WireError> {
    let text = std::str::from_utf8(l).map_err(|e| err(start + e.valid_up_to(), 400, "the request line is not text"))?;
    let parts: Vec<&str> = text.split(' ').collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(err(start, 400, format!("the request line must be three parts split by single spaces (method, target, version), not “{}”", clip(text))));
    }
    let (method, target, version) = (parts[0], parts[1], parts[2]);
    if let Some(i) = method.bytes().position(|b| !is_tchar(b)) {
        return Err(err(start + i, 400, format!("“{}” is not a method name: methods are letters and a few symbols", clip(method))));
    }
    let at_target = start + method.len() + 1;
    if let Some(i) = target.bytes().position(|b| b.is_ascii_control() || b >= 0x80 || b == b'"' || b == b'<' || b == b'>' || b == b'\\') {
        return Err(err(at_target + i, 400, "the target holds a character a URL may not carry unencoded; percent-encode it"));
    }
    let target = if let Some(rest) = target.strip_prefix("http://").or_else(|| target.strip_prefix("https://")) {
        // Absolute form (RFC 9112 §3.2.2): what a client sends to a proxy; servers take it too.
        match rest.find('/') {
            Some(i) => rest[i..].to_string(),
            None => "/".to_string(),
        }
    } else if target.starts_with('/') || target == "*" {
        target.to_string()
    } else {
        return Err(err(at_target, 400, format!("the target “{}” must start with / (or be a full http:// URL)", clip(target))));
    };
    let at_version = at_target + parts[1].len() + 1;
    let minor = match version {
        "HTTP/1.0" => 0,
        // A later 1.x is read as the highest this server speaks (RFC 9110 §2.5).
        v if v.len() == 8 && v.starts_with("HTTP/1.") && v.as_bytes()[7].is_ascii_digit() => 1,
        v if v.len() == 8 && v.starts_with("HTTP/") && v.as_bytes()[5].is_ascii_digit() && v.as_bytes()[6] == b'.' && v.as_bytes()[7].is_ascii_digit() => {
            return Err(err(at_version, 505, format!("{v} is a version this server does not speak over this connection; it answers 505 HTTP Version Not Supported")));
        }
        v => return Err(err(at_version, 400, format!("“{}” is not an HTTP version: write HTTP/1.1", clip(v)))),
    };
    Ok((method.to_string(), target, minor))
}

fn field(l: &[u8], start: usize) -> Result<(String, String), WireError> {
    if l[0] == b' ' || l[0] == b'\t' {
        return Err(err(start, 400, "a line starting with a space continues the previous field (obsolete line folding); RFC 9112 §5.2 lets a server refuse it with 400"));
    }
    let Some(colon) = l.iter().position(|&b| b == b':') else {
        return Err(err(start, 400, "a header line needs a colon between the field name and its value"));
    };
    let name = &l[..colon];
    if name.last().is_some_and(|b| *b == b' ' || *b == b'\t') {
        return Err(err(start + colon - 1, 400, "whitespace between a field name and its colon; RFC 9112 §5.1 says a server must refuse it with 400"));
    }
    if name.is_empty() {
        return Err(err(start, 400, "a header line with no field name before the colon"));
    }
    if let Some(i) = name.iter().position(|&b| !is_tchar(b)) {
        return Err(err(start + i, 400, "a field name may hold only letters, digits and a few symbols"));
    }
    let value = &l[colon + 1..];
    if let Some(i) = value.iter().position(|&b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        return Err(err(start + colon + 1 + i, 400, "a control character inside a field value"));
    }
    let value = String::from_utf8_lossy(value).trim_matches([' ', '\t']).to_string();
    Ok((String::from_utf8_lossy(name).into_owned(), value))
}

/// How the body ends (RFC 9112 §6.3), refusing the ambiguous cases request smuggling uses.
fn framing(req: &Request, head: usize) -> Result<Framing, WireError> {
    let te = req.list("transfer-encoding");
    if te.is_empty() && req.header("transfer-encoding").is_some() {
        return Err(err(head, 400, "an empty Transfer-Encoding field"));
    }
    let cl: Vec<&str> = req.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("content-length")).flat_map(|(_, v)| v.split(',').map(str::trim)).collect();
    if !te.is_empty() {
        if !cl.is_empty() {
            return Err(err(head, 400, "both Transfer-Encoding and Content-Length: two servers could each believe a different one, which is how request smuggling works, so this server refuses the request (RFC 9112 §6.1 allows it)"));
        }
        if req.minor == 0 {
            return Err(err(head, 400, "Transfer-Encoding in an HTTP/1.0 request, which cannot use it (RFC 9112 §6.1)"));
        }
        if te.len() > 1 && te.last().is_some_and(|c| c.eq_ignore_ascii_case("chunked")) {
            return Err(err(head, 501, format!("Transfer-Encoding: {}; this server decodes only chunked, and answers 501 Not Implemented for the other codings", te.join(", "))));
        }
        if !te.last().is_some_and(|c| c.eq_ignore_ascii_case("chunked")) {
            return Err(err(head, 400, format!("Transfer-Encoding: {} does not end with chunked, so nothing says where the body ends; RFC 9112 §6.3 says the server must answer 400 and close", te.join(", "))));
        }
        return Ok(Framing::Chunked);
    }
    if cl.is_empty() {
        return Ok(Framing::None);
    }
    let mut n = None;
    for v in &cl {
        if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err(head, 400, format!("Content-Length: “{}” is not a whole number of bytes", clip(v))));
        }
        if v.len() > 9 {
            return Err(err(head, 413, format!("Content-Length says {} bytes; this server takes bodies of at most {MAX_BODY}, so it answers 413 Content Too Large", clip(v))));
        }
        let value: usize = v.parse().unwrap_or(usize::MAX);
        if n.is_some_and(|m| m != value) {
            return Err(err(head, 400, "two different Content-Length values; the server cannot tell where the body ends (RFC 9112 §6.3)"));
        }
        n = Some(value);
    }
    Ok(Framing::Length(n.unwrap_or(0)))
}

/// A chunked body (RFC 9112 §7.1): size in hex, CRLF, that many bytes, CRLF, …, a zero-size
/// chunk, optional trailer fields, and an empty line.
fn chunked(bytes: &[u8], mut at: usize) -> Result<(Vec<u8>, usize), WireError> {
    let mut body = Vec::new();
    loop {
        let Some((l, s, next)) = line(bytes, at)? else {
            return Err(err(bytes.len(), 408, "the chunked body stops before its last chunk (a chunk of size 0); the server waits, then gives up with 408"));
        };
        if next < 2 || bytes[next - 2] != b'\r' {
            return Err(err(s, 400, "a chunk-size line must end with CRLF (RFC 9112 §7.1): a bare LF here is how one server can be made to read a body differently from another"));
        }
        let size_text = l.split(|&b| b == b';').next().unwrap_or(&[]);
        let size_text = std::str::from_utf8(size_text).unwrap_or("").trim_matches([' ', '\t']);
        if size_text.is_empty() || size_text.len() > 6 || !size_text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(err(s, 400, format!("“{}” is not a chunk size: each chunk starts with its length in hexadecimal", clip(&String::from_utf8_lossy(l)))));
        }
        let size = usize::from_str_radix(size_text, 16).unwrap_or(usize::MAX);
        at = next;
        if size == 0 {
            // Trailer fields, then the empty line.
            loop {
                let Some((t, ts, tnext)) = line(bytes, at)? else {
                    return Err(err(bytes.len(), 408, "the chunked body never ends with an empty line after its last chunk; the server waits, then gives up with 408"));
                };
                at = tnext;
                if t.is_empty() {
                    return Ok((body, at));
                }
                field(t, ts)?;
            }
        }
        if body.len() + size > MAX_BODY {
            return Err(err(s, 413, format!("the chunks add up to more than {MAX_BODY} bytes; the answer is 413 Content Too Large")));
        }
        if bytes.len() < at + size {
            return Err(err(bytes.len(), 408, format!("a chunk says {size} bytes but only {} arrived; the server waits for the rest, then gives up with 408", bytes.len() - at)));
        }
        body.extend_from_slice(&bytes[at..at + size]);
        at += size;
        match bytes.get(at..at + 2) {
            Some(b"\r\n") => at += 2,
            _ => return Err(err(at, 400, format!("a chunk said {size} bytes, but its data is not followed by CRLF there: the size is wrong"))),
        }
    }
}

use crate::sim::text::clip;

/// A response, ready to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The response as bytes: status line, fields, empty line, body (RFC 9112 §4–§6).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (n, v) in &self.headers {
            out.push_str(n);
            out.push_str(": ");
            out.push_str(v);
            out.push_str("\r\n");
        }
        out.push_str("\r\n");
        out.push_str(&self.body);
        out.into_bytes()
    }
}

/// The reason phrase RFC 9110 §15 gives each status code the shop sends.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// Seconds since 1970 as an IMF-fixdate (RFC 9110 §5.6.7): `Mon, 02 Mar 2026 09:00:00 GMT`.
pub fn http_date(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil(days as i64);
    const WD: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MON: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!("{}, {d:02} {} {y} {:02}:{:02}:{:02} GMT", WD[(days % 7) as usize], MON[(m - 1) as usize], rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Reads an HTTP-date back to seconds since 1970: the IMF-fixdate, or either obsolete form
/// a recipient must also accept (RFC 9110 §5.6.7): RFC 850's `Sunday, 06-Nov-94 08:49:37
/// GMT` (a two-digit year below 70 is read as 20xx) and asctime's `Sun Nov  6 08:49:37 1994`.
/// Anything else is `None`, and a conditional date that is not one is ignored (§13.1.3).
pub fn parse_http_date(s: &str) -> Option<u64> {
    const MON: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = |m: &str| MON.iter().position(|&x| x == m).map(|i| i as i64 + 1);
    let num = |t: &str, len: usize| t.parse::<i64>().ok().filter(|_| t.len() == len && t.bytes().all(|b| b.is_ascii_digit()));
    let p: Vec<&str> = s.split(' ').collect();
    let (y, m, d, time) = match p.as_slice() {
        // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        [wd, d, m, y, t, "GMT"] if wd.len() == 4 && wd.ends_with(',') => (num(y, 4)?, month(m)?, num(d, 2)?, *t),
        // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
        [wd, date, t, "GMT"] if wd.ends_with(',') && wd.len() > 6 => {
            let q: Vec<&str> = date.split('-').collect();
            let [d, m, y] = q.as_slice() else { return None };
            let yy = num(y, 2)?;
            (if yy < 70 { 2000 + yy } else { 1900 + yy }, month(m)?, num(d, 2)?, *t)
        }
        // asctime: Sun Nov  6 08:49:37 1994 (a one-digit day is padded with a space)
        [wd, m, "", d, t, y] if wd.len() == 3 => (num(y, 4)?, month(m)?, num(d, 1)?, *t),
        [wd, m, d, t, y] if wd.len() == 3 => (num(y, 4)?, month(m)?, num(d, 2)?, *t),
        _ => return None,
    };
    let t: Vec<u64> = time.split(':').map(|x| x.parse().ok().filter(|_| x.len() == 2)).collect::<Option<_>>()?;
    if t.len() != 3 || t[0] > 23 || t[1] > 59 || t[2] > 60 || !(1..=31).contains(&d) || y < 1970 {
        return None;
    }
    let days = days_from_civil(y, m, d);
    if civil(days) != (y, m, d) {
        return None;
    }
    Some(days as u64 * 86_400 + t[0] * 3600 + t[1] * 60 + t[2])
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's method).
fn civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
