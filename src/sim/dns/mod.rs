//! DNS, simulated end to end: wire format ([`wire`]), a small internet of name servers
//! ([`world`]), the browser, OS and recursive resolver with their caches ([`resolver`]), and
//! the stepper that records a session of lookups hop by hop (this module).

pub mod resolver;
pub mod wire;
pub mod world;

use std::fmt;
use std::sync::Arc;

use resolver::{Actor, Answer, Cache, Dns, Hop, Which};
use wire::{Name, RType, Rcode};

use super::group;
use crate::sim::text::clip;
use super::timeline::{FrameWalk, Narrated};

/// Operations a reader strings together; a session replays them in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Lookup(Name, RType),
    /// Moves the simulated clock on by this many seconds.
    Advance(u64),
    /// Empties one cache, or all three.
    Clear(Option<Which>),
}

/// Most operations one session replays.
pub const MAX_OPS: usize = 40;
/// Longest single clock jump: a week.
pub const MAX_ADVANCE_S: u64 = 7 * 86_400;

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Lookup(n, t) => {
                let text = n.to_string();
                write!(f, "lookup:{}/{}", text.trim_end_matches('.'), t.name())
            }
            Op::Advance(s) => write!(f, "advance:{s}"),
            Op::Clear(None) => f.write_str("clear:all"),
            Op::Clear(Some(Which::Browser)) => f.write_str("clear:browser"),
            Op::Clear(Some(Which::Os)) => f.write_str("clear:os"),
            Op::Clear(Some(Which::Resolver)) => f.write_str("clear:resolver"),
        }
    }
}

pub fn ops_to_string(ops: &[Op]) -> String {
    ops.iter().map(Op::to_string).collect::<Vec<_>>().join(";")
}

/// Parses `lookup:NAME/TYPE;advance:SECONDS;clear:browser|os|resolver|all`.
pub fn parse_ops(text: &str) -> Result<Vec<Op>, String> {
    let mut ops = Vec::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (verb, arg) = part.split_once(':').ok_or_else(|| format!("“{}” should look like lookup:example.com/A, advance:60 or clear:all", clip(part)))?;
        let op = match verb {
            "lookup" => {
                let (name, t) = arg.rsplit_once('/').unwrap_or((arg, "A"));
                let rtype = RType::from_name(t).filter(|t| RType::ASKABLE.contains(t)).ok_or_else(|| format!("“{}” is not a record type this lookup can ask for", clip(t)))?;
                Op::Lookup(Name::parse(name)?, rtype)
            }
            "advance" => {
                let s: u64 = arg.parse().map_err(|_| format!("“{}” should be a number of seconds", clip(arg)))?;
                if s == 0 || s > MAX_ADVANCE_S {
                    return Err(format!("the clock moves on by 1 to {MAX_ADVANCE_S} seconds at a time"));
                }
                Op::Advance(s)
            }
            "clear" => Op::Clear(match arg {
                "all" => None,
                "browser" => Some(Which::Browser),
                "os" => Some(Which::Os),
                "resolver" => Some(Which::Resolver),
                other => return Err(format!("“{}” is not a cache: use browser, os, resolver or all", clip(other))),
            }),
            other => return Err(format!("“{}” is not an operation: use lookup, advance or clear", clip(other))),
        };
        ops.push(op);
    }
    if ops.len() > MAX_OPS {
        return Err(format!("a session replays at most {MAX_OPS} operations"));
    }
    Ok(ops)
}

/// The state after one step: what moved, the time, and the caches as they stood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// The operation this step belongs to (`None` for the opening frame).
    pub op: Option<usize>,
    pub hop: Option<Hop>,
    pub narration: String,
    /// The simulated clock once this step is done.
    pub now_ms: u64,
    /// Time spent so far in this lookup.
    pub lookup_ms: u64,
    /// The caches after the whole operation; [`Cache::as_of`] with `now_ms` gives them as
    /// they stood at this step.
    pub caches: Arc<[Cache; 3]>,
    /// The answer, on a lookup's last step.
    pub answer: Option<Answer>,
}

impl Frame {
    pub fn cache(&self, which: Which) -> &Cache {
        &self.caches[match which {
            Which::Browser => 0,
            Which::Os => 1,
            Which::Resolver => 2,
        }]
    }
}

/// Replays `ops` from empty caches, one frame per hop.
pub fn record(seed: u64, ops: &[Op]) -> Vec<Frame> {
    let mut dns = Dns::new(seed);
    let snapshot = |d: &Dns| Arc::new([d.browser.clone(), d.os.clone(), d.resolver.clone()]);
    let mut frames = vec![Frame {
        op: None,
        hop: None,
        narration: if ops.is_empty() {
            "Every cache is empty and the clock reads 0. Pick a name and look it up.".into()
        } else {
            format!("Every cache is empty and the clock reads 0. {} operation{} to replay: step through {}.", ops.len(), super::plural(ops.len()), if ops.len() == 1 { "it" } else { "them" })
        },
        now_ms: 0,
        lookup_ms: 0,
        caches: snapshot(&dns),
        answer: None,
    }];
    for (i, op) in ops.iter().enumerate() {
        match op {
            Op::Lookup(name, rtype) => {
                let start = dns.now_ms;
                let (answer, hops) = dns.lookup(name, *rtype);
                let caches = snapshot(&dns);
                let last = hops.len().saturating_sub(1);
                for (h, hop) in hops.into_iter().enumerate() {
                    let end = hop.at_ms + hop.took_ms;
                    let mut narration = format!("{} · {}", stamp(end - start), hop.note);
                    let done = (h == last).then(|| answer.clone());
                    if let Some(a) = &done {
                        narration.push(' ');
                        narration.push_str(&summarise(name, *rtype, a));
                    }
                    frames.push(Frame { op: Some(i), hop: Some(hop), narration, now_ms: end, lookup_ms: end - start, caches: caches.clone(), answer: done });
                }
            }
            Op::Advance(s) => {
                dns.advance(*s);
                for c in [&mut dns.browser, &mut dns.os, &mut dns.resolver] {
                    c.purge(dns.now_ms);
                }
                frames.push(Frame {
                    op: Some(i),
                    hop: None,
                    narration: format!("The clock moves on {}. Every cached entry's TTL counts down; those that reach zero are gone.", duration(*s)),
                    now_ms: dns.now_ms,
                    lookup_ms: 0,
                    caches: snapshot(&dns),
                    answer: None,
                });
            }
            Op::Clear(which) => {
                let list: Vec<Which> = which.map_or(vec![Which::Browser, Which::Os, Which::Resolver], |w| vec![w]);
                for w in &list {
                    dns.clear(*w);
                }
                frames.push(Frame {
                    op: Some(i),
                    hop: None,
                    narration: match which {
                        Some(w) => format!("The {} cache is emptied.", w.label()),
                        None => "All three caches are emptied: the next lookup starts cold.".into(),
                    },
                    now_ms: dns.now_ms,
                    lookup_ms: 0,
                    caches: snapshot(&dns),
                    answer: None,
                });
            }
        }
    }
    frames
}

fn stamp(ms: u64) -> String {
    format!("+{ms} ms")
}

/// Seconds for people: "45 s", "5 min", "2 h", "1 day 3 h".
pub fn duration(s: u64) -> String {
    match s {
        0..=119 => format!("{s} s"),
        120..=3_599 if s % 60 == 0 => format!("{} min", s / 60),
        120..=3_599 => format!("{} min {} s", s / 60, s % 60),
        3_600..=172_799 if s % 3_600 == 0 => format!("{} h", s / 3_600),
        3_600..=172_799 => format!("{} h {} min", s / 3_600, (s % 3_600) / 60),
        _ => format!("{} days {} h", s / 86_400, (s % 86_400) / 3_600),
    }
}

fn summarise(name: &Name, rtype: RType, a: &Answer) -> String {
    let place = match a.from {
        Which::Browser => "from the browser's cache",
        Which::Os => "from the operating system's cache",
        Which::Resolver => "through the recursive resolver",
    };
    match a.rcode {
        Rcode::NoError if a.records.is_empty() => format!("Result: {name} has no {} record (NODATA), {place}, in {} ms.", rtype.name(), group(a.total_ms)),
        Rcode::NoError => {
            let last = a.records.iter().rev().find(|r| r.rtype() == rtype).or(a.records.last());
            format!("Result: {} {}, {place}, in {} ms.", rtype.name(), last.map(|r| r.data.to_string()).unwrap_or_default(), group(a.total_ms))
        }
        other => format!("Result: {} for {name}, {place}, in {} ms.", other.name(), group(a.total_ms)),
    }
}

/// Live mode (opt-in): the resolver URL a reader typed, checked. DNS-over-HTTPS (RFC 8484)
/// needs `https://`; plain `http://` is allowed only to this machine (localhost, 127.0.0.1),
/// which is what a local test responder uses.
pub fn check_doh_url(raw: &str) -> Result<String, String> {
    let url = raw.trim();
    if url.is_empty() {
        return Err("Type the URL of a DNS-over-HTTPS resolver, like https://resolver.example/dns-query.".into());
    }
    if url.len() > 300 || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("That URL is too long or contains spaces or control characters.".into());
    }
    let (scheme, rest) = url.split_once("://").ok_or("A resolver URL starts with https://.")?;
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host_port.is_empty() || host_port.contains('@') {
        return Err("The URL needs a host name, and no user name or password.".into());
    }
    let host = host_port.rsplit_once(':').map_or(host_port, |(h, _)| h);
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(url.to_string()),
        "http" if host == "localhost" || host == "127.0.0.1" || host == "[::1]" => Ok(url.to_string()),
        "http" => Err("DNS-over-HTTPS needs https://; plain http:// is allowed only to localhost.".into()),
        _ => Err(format!("“{}” is not a web address scheme; use https://.", clip(scheme))),
    }
}

/// Live mode: the bytes to POST as `application/dns-message`: one question, recursion
/// desired, ID 0 as RFC 8484 §4.1 recommends for cache-friendly DoH, and EDNS as every
/// modern stub sends it.
pub fn doh_query(name: &Name, rtype: RType) -> Vec<u8> {
    wire::encode(&wire::Message::query(0, name, rtype, true).with_edns(wire::Edns::STUB)).0
}

/// Live mode: a resolver's reply, decoded by the same decoder, as lines for the reader.
pub fn describe_reply(bytes: &[u8]) -> Result<Vec<String>, String> {
    let m = wire::decode(bytes).map_err(|e| format!("The reply could not be decoded: {}.", e.0))?;
    if !m.header.qr {
        return Err("The reply is not a DNS response (its QR flag is clear).".into());
    }
    let mut lines = vec![format!(
        "{} bytes · status {} · {} answer{}{}{}",
        bytes.len(),
        m.status_name(),
        m.answer.len(),
        super::plural(m.answer.len()),
        if m.header.ra { " · recursion available" } else { "" },
        if m.header.ad { " · validated (AD)" } else { "" }
    )];
    lines.extend(m.answer.iter().chain(&m.authority).map(|r| r.to_string()));
    lines.extend(m.edns().map(|e| e.record().to_string()));
    Ok(lines)
}

/// The frames of a session, stepped by the widget's timeline.
pub type DnsWalk = FrameWalk<Frame>;

impl Narrated for Frame {
    fn narration(&self) -> &str {
        &self.narration
    }
}

/// A `dig +trace`-style text of the messages so far: for each server's reply, its records
/// and where it came from. The accessible alternative to the drawing.
pub fn trace(frames: &[Frame], dns_world: &world::World) -> String {
    let mut out = String::new();
    for f in frames {
        let Some(hop) = &f.hop else {
            if f.op.is_some() {
                out.push_str(&format!(";; {}\n\n", f.narration));
            }
            continue;
        };
        match (&hop.message, hop.from) {
            (Some(m), _) if !m.header.qr => {
                if let (Some((n, t)), Actor::Os) = (&m.question, hop.from) {
                    out.push_str(&format!("; <<>> lookup {n} {} <<>>\n", t.name()));
                }
            }
            (Some(m), from) => {
                for r in m.answer.iter().chain(&m.authority).chain(&m.additional) {
                    out.push_str(&format!("{r}\n"));
                }
                let (ip, host) = match from {
                    Actor::Server(s) => (resolver::ip_text(dns_world.servers[s].ip), dns_world.servers[s].host.to_string()),
                    _ => ("resolver".to_string(), "recursive resolver".to_string()),
                };
                out.push_str(&format!(";; {} from {ip}#53({host}) in {} ms, {} bytes\n\n", m.header.rcode.name(), hop.took_ms * 2, hop.bytes.len()));
            }
            (None, Actor::Server(s)) => out.push_str(&format!(";; no answer from {} after {} ms\n\n", dns_world.servers[s].host, hop.took_ms)),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_round_trip_and_bad_ones_say_why() {
        let text = "lookup:www.example.com/A;advance:300;clear:browser;lookup:example.com/MX;clear:all";
        let ops = parse_ops(text).unwrap();
        assert_eq!(ops.len(), 5);
        assert_eq!(ops_to_string(&ops), text);
        assert_eq!(parse_ops("lookup:example.com").unwrap(), vec![Op::Lookup(Name::of("example.com"), RType::A)]);
        assert!(parse_ops("lookup:a..b/A").unwrap_err().contains("empty label"));
        assert!(parse_ops("lookup:example.com/SOA").unwrap_err().contains("record type"));
        assert!(parse_ops("advance:-1").unwrap_err().contains("seconds"));
        assert!(parse_ops("advance:0").unwrap_err().contains("1 to"));
        assert!(parse_ops("clear:everything").unwrap_err().contains("not a cache"));
        assert!(parse_ops("fly:away").unwrap_err().contains("not an operation"));
        assert!(parse_ops(&vec!["advance:1"; 41].join(";")).is_err());
    }

    #[test]
    fn a_session_records_cold_then_warm_with_the_clock() {
        let ops = parse_ops("lookup:example.com/A;lookup:example.com/A;advance:400;lookup:example.com/A").unwrap();
        let frames = record(1, &ops);
        let answers: Vec<&Answer> = frames.iter().filter_map(|f| f.answer.as_ref()).collect();
        assert_eq!(answers.len(), 3);
        assert_eq!(answers[0].from, Which::Resolver);
        assert_eq!(answers[1].from, Which::Browser);
        assert_eq!(answers[1].total_ms, 0);
        assert_eq!(answers[2].from, Which::Resolver, "400 s later the browser, OS and resolver copies have all expired");
        assert!(answers[0].total_ms > answers[2].total_ms, "the delegation is still cached, so the second cold lookup is quicker");
        // The caches as of each step only grow within a lookup, and the clock never runs back.
        for w in frames.windows(2) {
            assert!(w[1].now_ms >= w[0].now_ms);
        }
        let first_answer = frames.iter().position(|f| f.answer.is_some()).unwrap();
        let at = |i: usize| frames[i].cache(Which::Resolver).as_of(frames[i].now_ms).count();
        assert_eq!(at(1), 0);
        assert!(at(first_answer) >= 5);
    }

    #[test]
    fn the_trace_reads_like_dig() {
        let frames = record(1, &parse_ops("lookup:www.example.com/A").unwrap());
        let world = world::World::sample();
        let text = trace(&frames, &world);
        assert!(text.contains("com. 172800 IN NS a.gtld-servers.net."));
        assert!(text.contains("from 198.41.0.4#53(a.root-servers.net)"));
        assert!(text.contains("www.example.com. 3600 IN CNAME example.com."));
    }

    #[test]
    fn doh_urls_need_https_except_to_this_machine() {
        assert!(check_doh_url("https://resolver.example/dns-query").is_ok());
        assert!(check_doh_url("http://127.0.0.1:8053/dns-query").is_ok());
        assert!(check_doh_url("http://localhost/dns-query").is_ok());
        assert!(check_doh_url("http://resolver.example/dns-query").unwrap_err().contains("https"));
        assert!(check_doh_url("javascript:alert(1)").is_err());
        assert!(check_doh_url("https://user:pw@resolver.example/").unwrap_err().contains("password"));
        assert!(check_doh_url("").unwrap_err().contains("Type the URL"));
        assert!(check_doh_url("ftp://x/").unwrap_err().contains("scheme"));
        assert!(check_doh_url(&format!("https://{}", "a".repeat(400))).is_err());
    }

    #[test]
    fn a_doh_query_is_a_recursive_question_with_id_zero_and_replies_are_described() {
        let q = doh_query(&Name::of("example.com"), RType::Aaaa);
        let m = wire::decode(&q).unwrap();
        assert_eq!((m.header.id, m.header.rd, m.header.qr), (0, true, false));
        assert_eq!(m.edns(), Some(wire::Edns::STUB), "EDNS, as a real stub sends it");
        assert!(describe_reply(&q).unwrap_err().contains("QR"));
        let mut dns = Dns::new(1);
        let (_, hops) = dns.lookup(&Name::of("example.com"), RType::A);
        let reply = hops.iter().rev().find(|h| h.message.as_ref().is_some_and(|m| m.header.ra)).unwrap();
        let lines = describe_reply(&reply.bytes).unwrap();
        assert!(lines[0].contains("NOERROR") && lines[0].contains("recursion available"));
        assert_eq!(lines[1], "example.com. 300 IN A 192.0.2.10");
        assert_eq!(lines.last().unwrap(), "; EDNS: version: 0, flags:; udp: 1232");
        assert!(describe_reply(&[1, 2, 3]).unwrap_err().contains("could not be decoded"));
    }

    #[test]
    fn one_operation_is_it_and_several_are_them() {
        let one = record(1, &parse_ops("lookup:example.com/A").unwrap());
        assert!(one[0].narration.ends_with("1 operation to replay: step through it."), "{}", one[0].narration);
        let two = record(1, &parse_ops("lookup:example.com/A;clear:all").unwrap());
        assert!(two[0].narration.ends_with("2 operations to replay: step through them."));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(45), "45 s");
        assert_eq!(duration(300), "5 min");
        assert_eq!(duration(3_600), "1 h");
        assert_eq!(duration(3_725), "1 h 2 min");
        assert_eq!(duration(7_200), "2 h");
        assert_eq!(duration(90_000), "25 h");
        assert_eq!(duration(200_000), "2 days 7 h");
    }
}
