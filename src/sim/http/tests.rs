//! The HTTP engine against references: httparse (an independent HTTP/1.x parser) on requests
//! and on every response the shop writes, RFC 9110's examples and rules, and properties.

use proptest::prelude::*;

use super::shop::{etag_matches, is_idempotent, Shop};
use super::wire::{self, http_date, parse_http_date, parse_request, Framing};
use super::*;

fn statuses(text: &str) -> Vec<u16> {
    run(text)
        .exchanges
        .iter()
        .filter_map(|x| match &x.kind {
            Kind::Request { response, .. } => Some(response.status),
            Kind::Event(_) => None,
        })
        .collect()
}

fn req(text: &str) -> Vec<u8> {
    text.replace('\n', "\r\n").into_bytes()
}

#[test]
fn dates_match_rfc_9110_s_example_and_round_trip() {
    // RFC 9110 §5.6.7's example date.
    assert_eq!(http_date(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
    assert_eq!(http_date(shop::START), "Mon, 02 Mar 2026 09:00:00 GMT");
    for s in [0u64, 951_782_400, 1_709_164_800, 4_102_444_799, shop::START] {
        assert_eq!(parse_http_date(&http_date(s)), Some(s), "{}", http_date(s));
    }
    // RFC 9110 §5.6.7's example in its two obsolete forms, which a recipient must read too.
    assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), Some(784_111_777));
    assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), Some(784_111_777));
    assert_eq!(parse_http_date("Sun Nov 16 08:49:37 1994"), Some(784_111_777 + 10 * 86_400));
    // Nonsense is not a date (and so a conditional field carrying it is ignored).
    for bad in ["Sun, 31 Feb 2026 00:00:00 GMT", "Sun, 6 Nov 1994 08:49:37 GMT", "yesterday", "", "Sun Nov 6 08:49:37 1994"] {
        assert_eq!(parse_http_date(bad), None, "{bad}");
    }
}

/// What httparse makes of a head: method, path, minor version, fields; or None.
fn oracle(bytes: &[u8]) -> Option<(String, String, u8, Vec<(String, String)>)> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut r = httparse::Request::new(&mut headers);
    match r.parse(bytes) {
        Ok(httparse::Status::Complete(_)) => Some((
            r.method?.to_string(),
            r.path?.to_string(),
            r.version? as u8,
            r.headers.iter().map(|h| (h.name.to_string(), String::from_utf8_lossy(h.value).trim().to_string())).collect(),
        )),
        _ => None,
    }
}

#[test]
fn the_request_reader_agrees_with_httparse() {
    let heads = [
        "GET /api/products HTTP/1.1\nHost: shop.example\n\n",
        "GET /api/products?page=2 HTTP/1.0\n\n",
        "DELETE /api/products/3 HTTP/1.1\nHost: shop.example\nAuthorization: Bearer tok_ana\nX-Empty:\n\n",
        "OPTIONS * HTTP/1.1\nHost: a\n\n",
        "PATCH /x HTTP/1.1\nHost: a\nAccept:   application/json  \n\n",
        // Refused by both.
        "GET /x HTTP/1.1\nHost : a\n\n",
        "GET /x HTTP/1.1\nHost: a\n folded\n\n",
        "GET  /x HTTP/1.1\nHost: a\n\n",
        "GET /x HTTP/1.1 extra\nHost: a\n\n",
        "G(T /x HTTP/1.1\nHost: a\n\n",
        "GET /x HTTP/1.1\nNo colon here\n\n",
        "GET /x HTTP/1.1\nHo\"st: a\n\n",
        "GET /x HTTP/1.1\nHost: a\rb\n\n",
        "GET /x HTTX/1.1\nHost: a\n\n",
        "GET /x HTTP/1.1\n: empty name\n\n",
        "GET /a b HTTP/1.1\nHost: a\n\n",
    ];
    for h in heads {
        let bytes = req(h);
        let ours = parse_request(&bytes);
        let theirs = oracle(&bytes);
        match (&ours, &theirs) {
            (Ok((r, _)), Some((m, p, v, hs))) => {
                assert_eq!((&r.method, &r.target, r.minor), (m, p, *v), "{h:?}");
                assert_eq!(&r.headers, hs, "{h:?}");
            }
            (Err(_), None) => {}
            // A request httparse reads but this server refuses must be refused for a reason
            // above the syntax httparse checks: HTTP/1.1 without Host.
            (Err(e), Some(_)) => assert!(e.message.contains("Host"), "{h:?}: we refuse ({}) what httparse reads", e.message),
            (Ok(_), None) => panic!("{h:?}: we read what httparse refuses"),
        }
    }
}

#[test]
fn every_response_the_shop_writes_reads_back_with_httparse() {
    let mut seen = 0;
    for name in PRESETS {
        for x in run(preset(name)).exchanges {
            let Kind::Request { response, read, .. } = x.kind else { continue };
            let bytes = response.to_bytes();
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut r = httparse::Response::new(&mut headers);
            let Ok(httparse::Status::Complete(head)) = r.parse(&bytes) else { panic!("{name}: httparse cannot read {}", String::from_utf8_lossy(&bytes)) };
            assert_eq!(r.code, Some(response.status));
            assert_eq!(r.reason, Some(wire::reason(response.status)));
            let fields: Vec<(String, String)> = r.headers.iter().map(|h| (h.name.to_string(), String::from_utf8_lossy(h.value).into_owned())).collect();
            assert_eq!(fields, response.headers, "{name}");
            // Content-Length counts the body's bytes (a HEAD's counts the GET's, RFC 9110 §8.6).
            let head_req = read.as_ref().is_ok_and(|q| q.method == "HEAD");
            if let (Some(cl), false) = (response.header("content-length"), head_req) {
                assert_eq!(cl.parse::<usize>().unwrap(), bytes.len() - head, "{name}");
            }
            if matches!(response.status, 204 | 304) {
                assert!(response.body.is_empty() && response.header("content-length").is_none(), "{name}: {} has no content", response.status);
            }
            seen += 1;
        }
    }
    assert!(seen > 25, "{seen} responses");
}

#[test]
fn the_presets_reach_every_status_code_the_api_can_send() {
    let all: std::collections::BTreeSet<u16> = PRESETS.iter().flat_map(|p| statuses(preset(p))).collect();
    for s in [200, 201, 204, 304, 400, 401, 403, 404, 405, 406, 408, 409, 412, 413, 415, 422, 428, 429, 500, 503, 505] {
        assert!(all.contains(&s), "no preset reaches {s}; reached {all:?}");
    }
}

#[test]
fn each_preset_tells_its_story() {
    assert_eq!(statuses(preset("read")), [200]);
    assert_eq!(statuses(preset("create")), [201, 422]);
    // The second writer's If-Match names the old ETag: refused, nothing overwritten.
    assert_eq!(statuses(preset("lost-update")), [200, 412, 428]);
    assert_eq!(statuses(preset("cache")), [200, 304, 200, 200]);
    // The retry with the key is replayed; without one it orders again, until the limit.
    assert_eq!(statuses(preset("retry")), [201, 201, 201, 201, 201, 429]);
    let r = run(preset("retry"));
    let orders_for_ben = |x: &Exchange| x.after.iter().find(|p| p.id == 1).map(|p| p.stock);
    assert_eq!(orders_for_ben(&r.exchanges[0]), Some(4));
    assert_eq!(orders_for_ben(&r.exchanges[1]), Some(4), "the replay orders nothing");
    let Kind::Request { response, .. } = &r.exchanges[1].kind else { panic!() };
    assert_eq!(response.header("idempotent-replayed"), Some("true"));
    assert_eq!(statuses(preset("errors")), [405, 404, 401, 403, 406, 415, 409, 204, 500, 503]);
    assert_eq!(statuses(preset("framing")), [400, 201, 408, 400, 400, 413, 505]);
}

#[test]
fn statuses_carry_the_fields_rfc_9110_asks_for() {
    let r = run(preset("errors"));
    let field = |i: usize, f: &str| match &r.exchanges[i].kind {
        Kind::Request { response, .. } => response.header(f).map(str::to_string),
        _ => None,
    };
    assert_eq!(field(0, "allow").as_deref(), Some("GET, HEAD, POST, OPTIONS"), "405 has Allow");
    assert!(field(2, "www-authenticate").is_some_and(|v| v.starts_with("Bearer")), "401 has WWW-Authenticate");
    let e = r.exchanges.len() - 1;
    assert_eq!(field(e, "retry-after").as_deref(), Some("120"), "503 has Retry-After");
    let c = run(preset("create"));
    let Kind::Request { response, .. } = &c.exchanges[0].kind else { panic!() };
    assert_eq!(response.header("location"), Some("/api/products/4"), "201 has Location");
    let t = run(preset("retry"));
    let Kind::Request { response, .. } = &t.exchanges.last().unwrap().kind else { panic!() };
    assert!(response.header("retry-after").is_some(), "429 has Retry-After");
}

fn get(extra: &str) -> String {
    format!("GET /api/products/1 HTTP/1.1\nHost: a\n{extra}")
}

#[test]
fn conditional_headers_are_weighed_in_rfc_9110_s_order() {
    let old = "Sun, 01 Mar 2026 00:00:00 GMT"; // before the mug's Last-Modified
    let late = "Tue, 03 Mar 2026 00:00:00 GMT"; // after it
    // If-None-Match uses the weak comparison; If-Match the strong one.
    assert_eq!(statuses(&get("If-None-Match: W/\"p1-v1\"\n")), [304]);
    assert!(etag_matches("W/\"a\"", "\"a\"", false) && !etag_matches("W/\"a\"", "\"a\"", true));
    // When If-None-Match is present, If-Modified-Since is ignored (§13.1.3).
    assert_eq!(statuses(&get(&format!("If-None-Match: \"p1-v0\"\nIf-Modified-Since: {late}\n"))), [200]);
    assert_eq!(statuses(&get(&format!("If-Modified-Since: {late}\n"))), [304]);
    assert_eq!(statuses(&get(&format!("If-Modified-Since: {old}\n"))), [200]);
    // A media range with weight zero is refused (RFC 9110 §12.4.2): not acceptable.
    assert_eq!(statuses(&get("Accept: application/json;q=0, text/html\n")), [406]);
    // The most specific range decides: JSON refused outright, whatever */* says.
    assert_eq!(statuses(&get("Accept: application/json; q=0.000, */*;q=0.5\n")), [406]);
    assert_eq!(statuses(&get("Accept: text/html, */*;q=0.1\n")), [200]);
    assert_eq!(statuses(&get("Accept: application/json;q=0.001\n")), [200]);
    // An unreadable date is ignored, not an error.
    assert_eq!(statuses(&get("If-Modified-Since: yesterday\n")), [200]);
    // If-Match is checked first: a failing If-Match wins over a matching If-None-Match.
    assert_eq!(statuses(&get("If-Match: \"nope\"\nIf-None-Match: \"p1-v1\"\n")), [412]);
    // And when If-Match is present, If-Unmodified-Since is not evaluated (§13.2.2 step 2).
    assert_eq!(statuses(&get(&format!("If-Match: \"p1-v1\"\nIf-Unmodified-Since: {old}\n"))), [200]);
    assert_eq!(statuses(&get(&format!("If-Unmodified-Since: {old}\n"))), [412]);
    // A precondition never turns a 404 into something else (RFC 9110 §13.2.1), nor lets
    // Cy read Ben's order.
    assert_eq!(statuses("GET /api/products/9 HTTP/1.1\nHost: a\nIf-Match: \"x\"\n"), [404]);
    assert_eq!(statuses("GET /api/orders/1 HTTP/1.1\nHost: a\nAuthorization: Bearer tok_cy\nIf-Match: \"x\"\n"), [404]);
    // A 304 carries the Cache-Control the 200 would (§15.4.5).
    let r = run(&get("If-None-Match: \"p1-v1\"\n"));
    let Kind::Request { response, .. } = &r.exchanges[0].kind else { panic!() };
    assert_eq!(response.header("cache-control"), Some("no-cache"));
    // If-None-Match on an unsafe method fails with 412, not 304.
    let put = "PATCH /api/products/1 HTTP/1.1\nHost: a\nAuthorization: Bearer tok_ana\nContent-Type: application/json\nIf-None-Match: *\n\n{\"stock\": 1}";
    assert_eq!(statuses(put), [412]);
}

#[test]
fn framing_refuses_the_ambiguities_request_smuggling_needs() {
    let both = req("POST /api/orders HTTP/1.1\nHost: a\nContent-Length: 3\nTransfer-Encoding: chunked\n\n0\n\n");
    assert_eq!(parse_request(&both).unwrap_err().status, 400);
    let two = req("POST /x HTTP/1.1\nHost: a\nContent-Length: 3\nContent-Length: 4\n\nabcd");
    assert_eq!(parse_request(&two).unwrap_err().status, 400);
    let same = req("POST /x HTTP/1.1\nHost: a\nContent-Length: 3, 3\n\nabc");
    assert_eq!(parse_request(&same).unwrap().0.framing, Framing::Length(3));
    // Chunked must be the last coding (else 400); codings before it are not implemented here.
    let gzip = req("POST /x HTTP/1.1\nHost: a\nTransfer-Encoding: gzip\n\n");
    assert_eq!(parse_request(&gzip).unwrap_err().status, 400);
    let gzip_chunked = req("POST /x HTTP/1.1\nHost: a\nTransfer-Encoding: gzip, chunked\n\n0\n\n");
    assert_eq!(parse_request(&gzip_chunked).unwrap_err().status, 501);
    assert_eq!(parse_request(&req("POST /x HTTP/1.1\nHost: a\nTransfer-Encoding:\n\n")).unwrap_err().status, 400);
    // A bare LF inside a chunked body is refused: chunk lines end with CRLF.
    let bare = b"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n";
    assert_eq!(parse_request(bare).unwrap_err().status, 400);
    // Two Host fields are refused in HTTP/1.0 too; HTTP/1.2 is read as 1.1.
    assert_eq!(parse_request(&req("GET /x HTTP/1.0\nHost: a\nHost: b\n\n")).unwrap_err().status, 400);
    assert_eq!(parse_request(&req("GET /x HTTP/1.2\nHost: a\n\n")).unwrap().0.minor, 1);
    assert_eq!(parse_request(&req("POST /x HTTP/1.1\nHost: a\nContent-Length: 12345678901\n\n")).unwrap_err().status, 413);
    // RFC 9112 §7.1's chunked form, with an extension and a trailer field.
    let chunked = req("POST /x HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n4;note=1\nWiki\n5\npedia\n0\nExpires: never\n\nGET");
    let (r, used) = parse_request(&chunked).unwrap();
    assert_eq!(r.body, b"Wikipedia");
    assert_eq!(&chunked[used..], b"GET", "what follows is the next request");
    let lying = req("POST /x HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n3\nWikipedia\n0\n\n");
    assert_eq!(parse_request(&lying).unwrap_err().status, 400);
    let bare_cr = b"GET /x HTTP/1.1\r\nHost: a\rX: y\r\n\r\n";
    assert_eq!(parse_request(bare_cr).unwrap_err().status, 400);
    assert_eq!(parse_request(&req("GET /x HTTP/1.1\n\n")).unwrap_err().status, 400, "no Host");
    assert_eq!(parse_request(&req(&format!("GET /{} HTTP/1.1\nHost: a\n\n", "a".repeat(9_000)))).unwrap_err().status, 414);
    assert_eq!(parse_request(&req(&format!("GET / HTTP/1.1\nHost: a\nX: {}\n\n", "a".repeat(9_000)))).unwrap_err().status, 431);
}

#[test]
fn bytes_left_after_a_body_are_read_as_the_next_request() {
    let text = "POST /api/orders HTTP/1.1\nHost: a\nAuthorization: Bearer tok_ben\nContent-Type: application/json\nContent-Length: 5\n\n{\"product\": 2, \"quantity\": 1}";
    let r = run(text);
    assert_eq!(statuses(text), [400, 400]);
    let Kind::Request { read, .. } = &r.exchanges[0].kind else { panic!() };
    assert_eq!(read.as_ref().unwrap().body, b"{\"pro");
}

/// The shop's data, for comparing states (the clock and rate-limit log aside).
fn data(s: &Shop) -> (Vec<shop::Product>, Vec<shop::Order>) {
    (s.products.iter().map(|p| shop::Product { modified: 0, ..p.clone() }).collect(), s.orders.clone())
}

fn apply(text: &str) -> (Vec<shop::Product>, Vec<shop::Order>) {
    let mut shop = Shop::seeded();
    for (_, _, lines) in blocks(text) {
        if let Ok((r, _)) = parse_request(&to_wire(&lines).0) {
            shop.clock += 61; // past the rate limit's minute
            shop.handle(&r);
        }
    }
    data(&shop)
}

const IDEMPOTENT_REQUESTS: [&str; 6] = [
    "GET /api/products/1 HTTP/1.1\nHost: a\n",
    "PUT /api/products/2 HTTP/1.1\nHost: a\nAuthorization: Bearer tok_ana\nContent-Type: application/json\n\n{\"name\": \"Towel\", \"price\": 500, \"stock\": 3}",
    "PUT /api/products/1 HTTP/1.1\nHost: a\nAuthorization: Bearer tok_ana\nContent-Type: application/json\n\n{\"name\": \"Mug\", \"price\": 900, \"stock\": 9}",
    "DELETE /api/products/3 HTTP/1.1\nHost: a\nAuthorization: Bearer tok_ana\n",
    "DELETE /api/products/1 HTTP/1.1\nHost: a\nAuthorization: Bearer tok_ana\n",
    "HEAD /api/products HTTP/1.1\nHost: a\n",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// RFC 9110 §9.2.2: a sequence of idempotent requests, each sent twice, leaves the shop as
    /// sending each once does. POST, which is not idempotent, breaks it.
    #[test]
    fn idempotent_methods_leave_the_same_state_when_repeated(seq in proptest::collection::vec(0..IDEMPOTENT_REQUESTS.len(), 1..8)) {
        let once: Vec<&str> = seq.iter().map(|&i| IDEMPOTENT_REQUESTS[i]).collect();
        let twice: Vec<&str> = seq.iter().flat_map(|&i| [IDEMPOTENT_REQUESTS[i], IDEMPOTENT_REQUESTS[i]]).collect();
        for r in &once {
            prop_assert!(is_idempotent(r.split(' ').next().unwrap()));
        }
        prop_assert_eq!(apply(&once.join("\n###\n")), apply(&twice.join("\n###\n")));
    }

    /// Any bytes at all: a clear refusal or a request, never a panic.
    #[test]
    fn any_bytes_are_read_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        match parse_request(&bytes) {
            Ok((_, used)) => prop_assert!(used <= bytes.len()),
            Err(e) => prop_assert!(e.offset <= bytes.len() && !e.message.is_empty() && e.status >= 400),
        }
    }

    /// Any session text runs, and every exchange ends with an answer.
    #[test]
    fn any_session_runs(text in "(GET|POST|PUT|###|Host: a|Content-Length: [0-9]{1,3}|Transfer-Encoding: chunked|[0-9a-f]{1,2}|\\{\"stock\": 1\\}|/api/products/[0-9]| |\n){0,40}") {
        let r = run(&text);
        for x in &r.exchanges {
            prop_assert!(!x.steps.is_empty());
        }
        prop_assert_eq!(r.frames.len(), r.exchanges.iter().map(|x| x.steps.len()).sum::<usize>());
    }
}

#[test]
fn post_is_not_idempotent() {
    let post = "POST /api/orders HTTP/1.1\nHost: a\nAuthorization: Bearer tok_ben\nContent-Type: application/json\n\n{\"product\": 2, \"quantity\": 1}";
    assert_ne!(apply(post), apply(&[post, post].join("\n###\n")));
}

#[test]
fn the_walk_steps_through_every_decision_and_narrates_each() {
    let mut w = HttpWalk::new(preset("lost-update"));
    let mut said = vec![w.narrate()];
    while w.advance() {
        said.push(w.narrate());
    }
    assert_eq!(said.len(), w.record.frames.len());
    assert!(said.iter().any(|s| s.contains("If-Match holds?") && s.contains("RFC 9110 §13.1.1")), "{said:#?}");
    assert!(said.iter().any(|s| s.contains("428")));
    let empty = HttpWalk::new("");
    assert!(empty.narrate().contains("empty"));
}

#[test]
fn the_client_adds_content_length_only_when_the_request_has_none() {
    let (bytes, added) = to_wire(&["POST /x HTTP/1.1", "Host: a", "", "{}", ""]);
    assert_eq!(added.as_deref(), Some("Content-Length: 2"));
    assert_eq!(bytes, b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}");
    let (_, added) = to_wire(&["POST /x HTTP/1.1", "Host: a", "Content-Length: 9", "", "{}"]);
    assert_eq!(added, None);
}
