//! HTTP you can type: a session of raw HTTP/1.1 requests sent, one after another on one
//! connection, to the guide's shop API running in the page. [`wire`] reads the bytes as a
//! server would and writes the response back as bytes; [`shop`] chooses each response by
//! walking named decisions. The session text is written as `.http` files are: requests
//! separated by lines starting with `###`, which may also carry a server event (`### wait
//! 60`, `### maintenance on`, `### require if-match on`).

pub mod shop;
pub mod wire;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use self::shop::{Shop, Step};
use self::wire::{parse_request, Request, Response};
use super::timeline::Machine;

/// The most characters a session may have.
pub const MAX_CHARS: usize = 12_000;
/// The most requests read from one block (the rest of its bytes are pipelined requests).
const MAX_PIPELINED: usize = 4;

/// One block of the session, as sent and answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    /// The session line the block starts on (1-based).
    pub line: usize,
    /// What it was: a request, or a server event.
    pub kind: Kind,
    /// The decisions and their narration, one per step of the timeline.
    pub steps: Vec<Step>,
    /// The products table after this exchange.
    pub after: Vec<shop::Product>,
    /// The virtual clock when it was answered.
    pub clock: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Request {
        /// The bytes on the wire.
        sent: Vec<u8>,
        /// What the client added (Content-Length), for the narration.
        added: Option<String>,
        /// The request as read, or the refusal.
        read: Result<Request, wire::WireError>,
        response: Response,
        /// Whether the exchange changed the shop's data.
        changed: bool,
    },
    Event(String),
}

/// The whole session, answered.
#[derive(Debug, PartialEq, Eq)]
pub struct Record {
    pub exchanges: Vec<Exchange>,
    /// The products before the first exchange.
    pub before: Vec<shop::Product>,
    /// Timeline frames: (exchange, step).
    pub frames: Vec<(usize, usize)>,
}

/// A block of the session text: its first line and its lines.
fn blocks(text: &str) -> Vec<(usize, Option<String>, Vec<&str>)> {
    let mut out: Vec<(usize, Option<String>, Vec<&str>)> = vec![(1, None, Vec::new())];
    for (i, l) in text.split('\n').enumerate() {
        if let Some(rest) = l.strip_prefix("###") {
            let ev = rest.trim().trim_end_matches('\r').to_string();
            out.push((i + 2, (!ev.is_empty()).then_some(ev), Vec::new()));
        } else if let Some(last) = out.last_mut() {
            last.2.push(l);
        }
    }
    out
}

/// A block's text as a client sends it: the head's line ends become CRLF, the body goes as
/// typed, and a body without Content-Length or Transfer-Encoding gets a Content-Length.
pub fn to_wire(lines: &[&str]) -> (Vec<u8>, Option<String>) {
    // Blank lines before the request line are not part of it.
    let lines: Vec<&str> = lines.iter().copied().skip_while(|l| l.trim().is_empty()).collect();
    let blank = lines.iter().position(|l| l.trim_end_matches('\r').is_empty());
    let (head, body) = match blank {
        Some(b) => (&lines[..b], lines[b + 1..].join("\n")),
        None => (&lines[..], String::new()),
    };
    let names = |n: &str| head.iter().any(|l| l.split(':').next().is_some_and(|k| k.trim().eq_ignore_ascii_case(n)));
    // A body ends where the block does, less its trailing blank lines; a chunked one keeps
    // them, since its last chunk must be followed by an empty line, and its lines end in CRLF.
    let body = if names("transfer-encoding") { format!("{}\r\n", body.replace("\r\n", "\n").replace('\n', "\r\n")) } else { body.trim_end_matches(['\n', '\r']).to_string() };
    let mut added = None;
    let mut out = String::new();
    for l in head {
        out.push_str(l.strip_suffix('\r').unwrap_or(l));
        out.push_str("\r\n");
    }
    if !body.is_empty() && !names("content-length") && !names("transfer-encoding") {
        let f = format!("Content-Length: {}", body.len());
        out.push_str(&f);
        out.push_str("\r\n");
        added = Some(f);
    }
    out.push_str("\r\n");
    out.push_str(&body);
    (out.into_bytes(), added)
}

/// Answers every block of `text` against a freshly seeded shop.
pub fn run(text: &str) -> Record {
    let mut shop = Shop::seeded();
    let before = shop.products.clone();
    let mut exchanges = Vec::new();
    for (line, event, lines) in blocks(text) {
        if let Some(ev) = event {
            let said = shop_event(&mut shop, &ev);
            exchanges.push(Exchange { line: line - 1, kind: Kind::Event(ev), steps: vec![said], after: shop.products.clone(), clock: shop.clock });
        }
        if lines.iter().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
            continue;
        }
        let lines: Vec<&str> = lines.into_iter().filter(|l| !l.trim_start().starts_with("# ") && l.trim() != "#").collect();
        let (bytes, added) = to_wire(&lines);
        let mut at = 0;
        for n in 0..MAX_PIPELINED {
            let rest = &bytes[at..];
            if n > 0 && rest.iter().all(u8::is_ascii_whitespace) {
                break;
            }
            let ex = exchange(&mut shop, rest, if n == 0 { added.clone() } else { None }, line, n);
            let used = ex.1;
            exchanges.push(ex.0);
            match used {
                Some(u) if u < rest.len() => at += u,
                _ => break,
            }
        }
    }
    let frames = exchanges.iter().enumerate().flat_map(|(e, x)| (0..x.steps.len()).map(move |s| (e, s))).collect();
    Record { exchanges, before, frames }
}

fn shop_event(shop: &mut Shop, ev: &str) -> Step {
    let words: Vec<String> = ev.split_whitespace().map(str::to_ascii_lowercase).collect();
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let said = match w.as_slice() {
        ["wait", n] | ["wait", n, "s"] | ["wait", n, "seconds"] => match n.parse::<u64>() {
            Ok(s) if s <= 86_400 => {
                shop.clock += s;
                format!("{s} seconds pass. The clock reads {}.", wire::http_date(shop.clock))
            }
            _ => format!("“{ev}”: wait takes a number of seconds, up to 86,400 (a day); ignored."),
        },
        ["maintenance", "on"] => {
            shop.maintenance = true;
            "The shop goes down for maintenance: every request now gets 503.".into()
        }
        ["maintenance", "off"] => {
            shop.maintenance = false;
            "Maintenance is over: the shop answers again.".into()
        }
        ["require", "if-match", "on"] => {
            shop.require_if_match = true;
            "The server now requires If-Match on every change to a product (428 without it).".into()
        }
        ["require", "if-match", "off"] => {
            shop.require_if_match = false;
            "The server no longer requires If-Match.".into()
        }
        _ => format!("“{}” is not a server event this session knows (wait N, maintenance on/off, require if-match on/off); ignored.", crate::sim::text::clip(ev)),
    };
    Step { node: "Server", said, rfc: "", decided: false }
}

/// One request read from `bytes` and answered; returns the exchange and the bytes it used
/// (None when the bytes could not be read, which closes the connection).
fn exchange(shop: &mut Shop, bytes: &[u8], added: Option<String>, line: usize, n: usize) -> (Exchange, Option<usize>) {
    shop.clock += 1;
    let before = shop.products.clone();
    let label = if n == 0 { String::new() } else { format!(" (pipelined request {} from the same bytes)", n + 1) };
    let sent_note = added.as_ref().map(|a| format!(" Your client added “{a}”, as clients do.")).unwrap_or_default();
    let mut steps = vec![Step { node: "Sent", said: format!("{} bytes go over the connection{label}.{sent_note}", bytes.len()), rfc: "RFC 9112 §2.1", decided: false }];
    let (read, response, used) = match parse_request(bytes) {
        Ok((req, used)) => {
            let framing = match req.framing {
                wire::Framing::None => "no body".to_string(),
                wire::Framing::Length(n) => format!("a {n}-byte body by Content-Length"),
                wire::Framing::Chunked => format!("a {}-byte body in chunks", req.body.len()),
            };
            let left = bytes.len() - used;
            let tail = if left > 0 && !bytes[used..].iter().all(u8::is_ascii_whitespace) { format!(" {left} bytes are left over: the server will read them as the next request.") } else { String::new() };
            steps.push(Step { node: "Parsed", said: format!("The server reads {} {} HTTP/1.{}, {} field{}, {framing}.{tail}", req.method, req.target, req.minor, req.headers.len(), crate::sim::plural(req.headers.len())), rfc: "RFC 9112 §3", decided: false });
            let (res, mut decisions) = shop.handle(&req);
            steps.append(&mut decisions);
            (Ok(req), res, Some(used))
        }
        Err(e) => {
            steps.push(Step { node: "Parsed", said: format!("The server cannot read it, at byte {}: {}. It answers {} and closes the connection.", e.offset, e.message, e.status), rfc: "RFC 9112 §2.2", decided: true });
            let mut r = Response { status: e.status, headers: vec![("Date".into(), wire::http_date(shop.clock)), ("Connection".into(), "close".into())], body: String::new() };
            r.headers.push(("Content-Length".into(), "0".into()));
            (Err(e), r, None)
        }
    };
    let changed = shop.products != before;
    let status = response.status;
    let bytes_back = response.to_bytes().len();
    let change = if changed { " The products table changed." } else { "" };
    steps.push(Step { node: "Answer", said: format!("{status} {} goes back, {bytes_back} bytes.{change}", wire::reason(status)), rfc: "RFC 9112 §4", decided: false });
    (Exchange { line, kind: Kind::Request { sent: bytes.to_vec(), added, read, response, changed }, steps, after: shop.products.clone(), clock: shop.clock }, used)
}

/// Steps through a session: one decision at a time. Clones share the record, and two walks
/// are equal when they share it and stand at the same step.
#[derive(Clone, Debug)]
pub struct HttpWalk {
    pub record: Arc<Record>,
    pub at: usize,
}

impl PartialEq for HttpWalk {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.record, &other.record) && self.at == other.at
    }
}

impl HttpWalk {
    pub fn new(text: &str) -> HttpWalk {
        HttpWalk { record: Arc::new(run(text)), at: 0 }
    }

    /// (exchange, step) now, if the session has any.
    pub fn here(&self) -> Option<(usize, usize)> {
        self.record.frames.get(self.at).copied()
    }
}

impl Machine for HttpWalk {
    fn advance(&mut self) -> bool {
        if self.at + 1 >= self.record.frames.len() {
            return false;
        }
        self.at += 1;
        true
    }

    fn narrate(&self) -> String {
        match self.here() {
            Some((e, s)) => {
                let x = &self.record.exchanges[e];
                let step = &x.steps[s];
                let n = e + 1;
                match (&x.kind, step.rfc) {
                    (Kind::Event(_), _) => format!("Event {n}: {}", step.said),
                    (_, "") => format!("Request {n}: {}", step.said),
                    (_, rfc) => format!("Request {n}, {}: {} ({rfc})", step.node, step.said),
                }
            }
            None => "The session is empty: write a request, such as GET /api/products HTTP/1.1 and a Host line.".into(),
        }
    }
}

/// Named sessions, each a short story, in menu order.
pub const PRESETS: &[&str] = &["read", "create", "lost-update", "cache", "retry", "errors", "framing"];

pub fn preset(name: &str) -> &'static str {
    match name {
        "create" => CREATE,
        "lost-update" => LOST_UPDATE,
        "cache" => CACHE,
        "retry" => RETRY,
        "errors" => ERRORS,
        "framing" => FRAMING,
        _ => READ,
    }
}

const READ: &str = "GET /api/products/1 HTTP/1.1
Host: shop.example
Accept: application/json
";

const CREATE: &str = "POST /api/products HTTP/1.1
Host: shop.example
Authorization: Bearer tok_ana
Content-Type: application/json

{\"name\": \"Egg cup\", \"price\": 450, \"stock\": 20}

###
POST /api/products HTTP/1.1
Host: shop.example
Authorization: Bearer tok_ana
Content-Type: application/json

{\"name\": \"\", \"price\": 4.5}
";

const LOST_UPDATE: &str = "# Ana has the mug open in two tabs; both read it when its ETag was \"p1-v1\", and she saves in each.
PUT /api/products/1 HTTP/1.1
Host: shop.example
Authorization: Bearer tok_ana
Content-Type: application/json
If-Match: \"p1-v1\"

{\"name\": \"Blue mug\", \"price\": 1100, \"stock\": 5}

###
PUT /api/products/1 HTTP/1.1
Host: shop.example
Authorization: Bearer tok_ana
Content-Type: application/json
If-Match: \"p1-v1\"

{\"name\": \"Blue mug\", \"price\": 1200, \"stock\": 4}

### require if-match on
PATCH /api/products/1 HTTP/1.1
Host: shop.example
Authorization: Bearer tok_ana
Content-Type: application/json

{\"stock\": 4}
";

const CACHE: &str = "GET /api/products/2 HTTP/1.1
Host: shop.example

###
GET /api/products/2 HTTP/1.1
Host: shop.example
If-None-Match: \"p2-v1\"

### wait 30
PATCH /api/products/2 HTTP/1.1
Host: shop.example
Authorization: Bearer tok_ana
Content-Type: application/json

{\"price\": 700}

###
GET /api/products/2 HTTP/1.1
Host: shop.example
If-None-Match: \"p2-v1\"
";

const RETRY: &str = "# The answer to the first POST is lost, so the client sends it again with the same key.
POST /api/orders HTTP/1.1
Host: shop.example
Authorization: Bearer tok_ben
Content-Type: application/json
Idempotency-Key: \"7f3a-order-1\"

{\"product\": 1, \"quantity\": 1}

###
POST /api/orders HTTP/1.1
Host: shop.example
Authorization: Bearer tok_ben
Content-Type: application/json
Idempotency-Key: \"7f3a-order-1\"

{\"product\": 1, \"quantity\": 1}

### wait 60
# Now the same retry without a key, and then a client that keeps retrying.
POST /api/orders HTTP/1.1
Host: shop.example
Authorization: Bearer tok_ben
Content-Type: application/json

{\"product\": 1, \"quantity\": 1}

###
POST /api/orders HTTP/1.1
Host: shop.example
Authorization: Bearer tok_ben
Content-Type: application/json

{\"product\": 1, \"quantity\": 1}

###
POST /api/orders HTTP/1.1
Host: shop.example
Authorization: Bearer tok_ben
Content-Type: application/json

{\"product\": 1, \"quantity\": 1}

###
POST /api/orders HTTP/1.1
Host: shop.example
Authorization: Bearer tok_ben
Content-Type: application/json

{\"product\": 1, \"quantity\": 1}
";

const ERRORS: &str = "DELETE /api/products HTTP/1.1
Host: shop.example

###
GET /api/products/9 HTTP/1.1
Host: shop.example

###
GET /api/users/2/orders HTTP/1.1
Host: shop.example

###
GET /api/users/2/orders HTTP/1.1
Host: shop.example
Authorization: Bearer tok_cy

###
GET /api/products/1 HTTP/1.1
Host: shop.example
Accept: text/html

###
POST /api/orders HTTP/1.1
Host: shop.example
Authorization: Bearer tok_ben
Content-Type: text/plain

one teapot please

###
POST /api/orders HTTP/1.1
Host: shop.example
Authorization: Bearer tok_ben
Content-Type: application/json

{\"product\": 3, \"quantity\": 2}

###
DELETE /api/products/3 HTTP/1.1
Host: shop.example
Authorization: Bearer tok_ana

###
GET /api/users/3/stats HTTP/1.1
Host: shop.example
Authorization: Bearer tok_cy

### maintenance on
GET /api/products HTTP/1.1
Host: shop.example
";

const FRAMING: &str = "GET /api/products/1 HTTP/1.1
Accept: application/json

###
POST /api/orders HTTP/1.1
Host: shop.example
Authorization: Bearer tok_ben
Content-Type: application/json
Transfer-Encoding: chunked

e
{\"product\": 2,
f
 \"quantity\": 1}
0

###
POST /api/orders HTTP/1.1
Host: shop.example
Authorization: Bearer tok_ben
Content-Type: application/json
Content-Length: 60

{\"product\": 2, \"quantity\": 1}

###
POST /api/orders HTTP/1.1
Host: shop.example
Authorization: Bearer tok_ben
Content-Type: application/json
Content-Length: 5

{\"product\": 2, \"quantity\": 1}

###
POST /api/products HTTP/1.1
Host: shop.example
Authorization: Bearer tok_ana
Content-Type: application/json
Content-Length: 5000

###
GET /api/products HTTP/2.0
Host: shop.example
";
