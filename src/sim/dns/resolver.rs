//! Resolution from the browser down to the authoritative servers and back.
//!
//! The browser asks the operating system; the OS's stub resolver asks a recursive resolver;
//! the recursive resolver walks the hierarchy iteratively: the closest zone it knows servers
//! for (the root, from its built-in hints, when it knows nothing), following referrals (NS
//! records plus glue addresses), chasing CNAMEs, and trying a zone's next server when one
//! does not answer. Every cache obeys TTLs on a simulated clock, and negative answers are
//! cached for the lesser of the SOA record's TTL and its MINIMUM field (RFC 2308 §5).
//!
//! Every message between the stub, the resolver and the servers is a real RFC 1035 message:
//! encoded to bytes, and decoded back from those bytes for display.

use super::wire::{decode, encode, Edns, Message, Name, RData, RType, Rcode, Record, Span};
use super::world::World;
use crate::sim::rng::{mix, SplitMix64};

/// How long the resolver waits for a server before trying the next one.
pub const TIMEOUT_MS: u64 = 800;
/// Browsers that ask the OS (getaddrinfo) learn no TTL, so Chrome keeps answers one minute.
pub const BROWSER_TTL: u32 = 60;
/// Longest CNAME chain followed, and most queries one lookup may send.
const MAX_CNAMES: usize = 8;
const MAX_QUERIES: usize = 24;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    Browser,
    Os,
    Resolver,
    Server(usize),
}

/// Which cache an entry lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    Browser,
    Os,
    Resolver,
}

impl Which {
    pub fn label(self) -> &'static str {
        match self {
            Which::Browser => "browser",
            Which::Os => "operating system",
            Which::Resolver => "recursive resolver",
        }
    }
}

/// A cached answer: records (positive) or an SOA saying the name or type does not exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub name: Name,
    /// `None` for a cached NXDOMAIN, which covers every type at the name.
    pub rtype: Option<RType>,
    pub records: Vec<Record>,
    pub negative: Option<Rcode>,
    pub stored_ms: u64,
    pub ttl: u32,
}

impl Entry {
    pub fn expires_ms(&self) -> u64 {
        self.stored_ms + u64::from(self.ttl) * 1_000
    }

    /// Whole seconds left at `now_ms` (0 once expired).
    pub fn left(&self, now_ms: u64) -> u32 {
        (self.expires_ms().saturating_sub(now_ms) / 1_000) as u32
    }

    /// The records as a cache hands them out: each TTL counts down.
    pub fn aged(&self, now_ms: u64) -> Vec<Record> {
        let elapsed = (now_ms.saturating_sub(self.stored_ms) / 1_000) as u32;
        self.records.iter().map(|r| Record { ttl: r.ttl.saturating_sub(elapsed), ..r.clone() }).collect()
    }
}

/// A TTL-obeying cache. Expired entries stay invisible and are dropped on the next store.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cache {
    pub entries: Vec<Entry>,
}

impl Cache {
    pub fn get(&self, name: &Name, rtype: Option<RType>, now_ms: u64) -> Option<&Entry> {
        self.entries.iter().find(|e| &e.name == name && e.rtype == rtype && e.expires_ms() > now_ms)
    }

    /// Stores an entry unless a live one with the same key is already there (a second copy
    /// of the same glue, say). Entries are only ever added during a lookup, so the cache as it
    /// stood at any moment of the lookup is the entries stored by then and not yet expired.
    pub fn put(&mut self, entry: Entry) {
        let now = entry.stored_ms;
        if self.get(&entry.name, entry.rtype, now).is_some() {
            return;
        }
        self.entries.retain(|e| !(e.name == entry.name && e.rtype == entry.rtype));
        self.entries.push(entry);
    }

    /// Drops expired entries.
    pub fn purge(&mut self, now_ms: u64) {
        self.entries.retain(|e| e.expires_ms() > now_ms);
    }

    /// Entries alive at `now_ms` that were stored by then.
    pub fn as_of(&self, now_ms: u64) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(move |e| e.stored_ms <= now_ms && e.expires_ms() > now_ms)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HopKind {
    /// A cache was consulted: hit or miss.
    CacheCheck { which: Which, hit: bool },
    /// A DNS message on the wire (a query or a response).
    Message,
    /// A server never answered.
    Timeout,
    /// The browser asked the OS, or the OS handed the browser its answer (a function call,
    /// not DNS on the wire).
    Local,
}

/// One step of a lookup, with everything the widget shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hop {
    pub from: Actor,
    pub to: Actor,
    pub kind: HopKind,
    /// When it started and how long it took, on the simulated clock.
    pub at_ms: u64,
    pub took_ms: u64,
    /// The message as decoded from `bytes` (for wire hops).
    pub message: Option<Message>,
    pub bytes: Vec<u8>,
    pub spans: Vec<Span>,
    pub note: String,
}

/// How a lookup ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub rcode: Rcode,
    pub records: Vec<Record>,
    /// The SOA of a negative answer.
    pub soa: Option<Record>,
    /// Where the answer came from.
    pub from: Which,
    pub total_ms: u64,
}

/// The whole simulated system: the servers, three caches and the clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dns {
    pub world: World,
    pub browser: Cache,
    pub os: Cache,
    pub resolver: Cache,
    pub now_ms: u64,
    seed: u64,
    queries_sent: u64,
}

struct Trip<'a> {
    hops: &'a mut Vec<Hop>,
}

impl Dns {
    pub fn new(seed: u64) -> Dns {
        Dns { world: World::sample(), browser: Cache::default(), os: Cache::default(), resolver: Cache::default(), now_ms: 0, seed, queries_sent: 0 }
    }

    pub fn cache(&self, which: Which) -> &Cache {
        match which {
            Which::Browser => &self.browser,
            Which::Os => &self.os,
            Which::Resolver => &self.resolver,
        }
    }

    pub fn clear(&mut self, which: Which) {
        match which {
            Which::Browser => self.browser = Cache::default(),
            Which::Os => self.os = Cache::default(),
            Which::Resolver => self.resolver = Cache::default(),
        }
    }

    pub fn advance(&mut self, seconds: u64) {
        self.now_ms += seconds * 1_000;
    }

    fn rng(&mut self) -> SplitMix64 {
        self.queries_sent += 1;
        SplitMix64(mix(self.seed ^ self.queries_sent.wrapping_mul(0x9E37_79B9_7F4A_7C15)))
    }

    fn wire(&self, trip: &mut Trip, from: Actor, to: Actor, m: &Message, took_ms: u64, at_ms: u64, note: String) {
        let (bytes, spans) = encode(m);
        let message = decode(&bytes).ok();
        debug_assert_eq!(message.as_ref(), Some(m), "every message must decode to itself");
        trip.hops.push(Hop { from, to, kind: HopKind::Message, at_ms, took_ms, message, bytes, spans, note });
    }

    fn note(&self, trip: &mut Trip, from: Actor, to: Actor, kind: HopKind, note: String) {
        trip.hops.push(Hop { from, to, kind, at_ms: self.now_ms, took_ms: 0, message: None, bytes: Vec::new(), spans: Vec::new(), note });
    }

    /// Looks `name`/`rtype` up as a browser would, recording every hop and moving the clock.
    pub fn lookup(&mut self, name: &Name, rtype: RType) -> (Answer, Vec<Hop>) {
        let mut hops = Vec::new();
        let mut trip = Trip { hops: &mut hops };
        let start = self.now_ms;
        for c in [&mut self.browser, &mut self.os, &mut self.resolver] {
            c.purge(start);
        }
        let answer = self.lookup_inner(&mut trip, name, rtype);
        let answer = Answer { total_ms: self.now_ms - start, ..answer };
        (answer, hops)
    }

    fn from_cache(&self, which: Which, name: &Name, rtype: RType) -> Option<Answer> {
        let cache = self.cache(which);
        let now = self.now_ms;
        if let Some(e) = cache.get(name, Some(rtype), now).or_else(|| cache.get(name, None, now)) {
            // RFC 2308 §5: a negative answer handed on carries what is left of its lifetime,
            // like a positive one, so no cache downstream keeps it longer than this one.
            let soa = e.negative.and_then(|_| e.aged(now).into_iter().next()).map(|r| Record { ttl: e.left(now), ..r });
            return Some(Answer {
                rcode: e.negative.unwrap_or(Rcode::NoError),
                records: if e.negative.is_some() { Vec::new() } else { e.aged(now) },
                soa,
                from: which,
                total_ms: 0,
            });
        }
        None
    }

    fn lookup_inner(&mut self, trip: &mut Trip, name: &Name, rtype: RType) -> Answer {
        let q = rtype.name();
        let hit = self.from_cache(Which::Browser, name, rtype);
        self.note(
            trip,
            Actor::Browser,
            Actor::Browser,
            HopKind::CacheCheck { which: Which::Browser, hit: hit.is_some() },
            match &hit {
                Some(_) => format!("The browser already has {name} {q} in its own cache ({} s left), so no lookup happens at all.", self.browser.get(name, Some(rtype), self.now_ms).or_else(|| self.browser.get(name, None, self.now_ms)).map_or(0, |e| e.left(self.now_ms))),
                None => format!("The browser checks its own cache for {name} {q}: nothing there."),
            },
        );
        if let Some(a) = hit {
            return a;
        }
        let call = if matches!(rtype, RType::A | RType::Aaaa) {
            format!("The browser asks the operating system for {name} {q}, with a function call (getaddrinfo or similar), not a network message.")
        } else {
            format!("The operating system is asked for {name} {q} with a function call, not a network message. getaddrinfo returns only addresses, so for {q} records a program (a mail server, dig) calls the resolver library's res_query or similar; browsers ask only for addresses.")
        };
        self.note(trip, Actor::Browser, Actor::Os, HopKind::Local, call);
        let hit = self.from_cache(Which::Os, name, rtype);
        self.note(
            trip,
            Actor::Os,
            Actor::Os,
            HopKind::CacheCheck { which: Which::Os, hit: hit.is_some() },
            match &hit {
                Some(a) if a.rcode == Rcode::NxDomain => format!("The operating system's stub resolver remembers that {name} does not exist (NXDOMAIN), which covers every type, and answers at once."),
                Some(a) if a.records.is_empty() => format!("The operating system's stub resolver remembers that {name} has no {q} record (NODATA) and answers at once."),
                Some(_) => "The operating system's stub resolver has the answer cached and hands it straight back.".to_string(),
                None => "The operating system's stub resolver checks its cache: nothing there, so it asks the recursive resolver it was configured with.".to_string(),
            },
        );
        let answer = match hit {
            Some(a) => a,
            None => {
                let mut rng = self.rng();
                let id = rng.below(65_536) as u16;
                let rtt = 8 + rng.below(18);
                let query = Message::query(id, name, rtype, true).with_edns(Edns::STUB);
                let at = self.now_ms;
                self.now_ms += rtt / 2;
                self.wire(trip, Actor::Os, Actor::Resolver, &query, rtt / 2, at, format!("The stub sends a query to the recursive resolver (usually your ISP's or a public one) with RD set: “recursion desired”, please find the whole answer. ID {id} is random, and so is the UDP port it leaves from: a forged reply must match both, about four billion combinations rather than 65,536 (RFC 5452). The OPT record at the end (EDNS) says it accepts UDP replies of up to 1,232 bytes, more than the 512 of the original protocol."));
                let answer = self.recurse(trip, name, rtype);
                let mut reply = query.clone();
                reply.header.qr = true;
                reply.header.ra = true;
                reply.header.rcode = answer.rcode;
                reply.answer = answer.records.clone();
                reply.authority = answer.soa.clone().into_iter().collect();
                let at = self.now_ms;
                self.now_ms += rtt - rtt / 2;
                let what = match answer.rcode {
                    Rcode::NoError if answer.records.is_empty() => "an empty answer (NODATA): the name exists but has no such record".to_string(),
                    Rcode::NoError => format!("{} record{}", answer.records.len(), if answer.records.len() == 1 { "" } else { "s" }),
                    other => other.name().to_string(),
                };
                self.wire(trip, Actor::Resolver, Actor::Os, &reply, rtt - rtt / 2, at, format!("The resolver replies to the stub with {what}. RA is set: it offers recursion. The TTLs are what remains of each record's time to live."));
                let (ttl, negative) = entry_ttl(&answer);
                self.os.put(Entry { name: name.clone(), rtype: cache_key(&answer, rtype), records: stored(&answer), negative, stored_ms: self.now_ms, ttl });
                answer
            }
        };
        // Chrome keeps failed lookups for 0 s: only answers go in the browser's cache.
        if answer.rcode == Rcode::NoError && !answer.records.is_empty() {
            self.browser.put(Entry { name: name.clone(), rtype: cache_key(&answer, rtype), records: stored(&answer), negative: None, stored_ms: self.now_ms, ttl: BROWSER_TTL });
        }
        self.note(
            trip,
            Actor::Os,
            Actor::Browser,
            HopKind::Local,
            match answer.rcode {
                Rcode::NoError if !answer.records.is_empty() => format!("The browser gets its answer and keeps it for {BROWSER_TTL} s: the operating system's interface does not pass TTLs on, so Chrome, for one, uses a fixed minute."),
                Rcode::NoError if rtype == RType::Aaaa => format!("There is no AAAA record, so {name} has no IPv6 address. That is common and harmless: the browser connects over IPv4 with the A record instead. It keeps no failure in its own cache."),
                Rcode::NoError => format!("There is no {q} record for {name}. The browser keeps no failure in its own cache; the operating system's copy of this answer lasts its TTL."),
                other => format!("The lookup failed ({}). The browser shows an error page (Chrome's is ERR_NAME_NOT_RESOLVED) and keeps no failure in its own cache, so a reload asks the operating system again.", other.name()),
            },
        );
        answer
    }

    /// The recursive resolver's part: cache first, then iterate from the closest known zone.
    fn recurse(&mut self, trip: &mut Trip, qname: &Name, qtype: RType) -> Answer {
        let mut chain: Vec<Record> = Vec::new();
        let mut name = qname.clone();
        let mut queries = 0;
        let mut fresh: Vec<(Name, RType)> = Vec::new();
        let mut checked = false;
        for _ in 0..=MAX_CNAMES {
            let now = self.now_ms;
            let was_fresh = |n: &Name, t: RType| fresh.iter().any(|(fname, ftype)| fname == n && *ftype == t);
            // A cached answer or NXDOMAIN for this name ends the lookup.
            if let Some(hit) = self.from_cache(Which::Resolver, &name, qtype) {
                let from_before = if hit.records.is_empty() { !was_fresh(&name, qtype) } else { hit.records.iter().any(|r| !was_fresh(&r.name, r.rtype())) };
                if from_before {
                    let left = hit.soa.as_ref().map_or(0, |r| r.ttl);
                    let said = match hit.rcode {
                        Rcode::NxDomain => format!("The resolver's cache holds an NXDOMAIN for {name} ({left} s left): the name does not exist, so it has no {} record either. One negative answer covers every type at the name (RFC 2308 §5).", qtype.name()),
                        _ if hit.records.is_empty() => format!("The resolver's cache remembers that {name} has no {} record (NODATA, {left} s left).", qtype.name()),
                        _ => format!("The resolver finds {name} {} in its cache, still within its TTL.", qtype.name()),
                    };
                    self.note(trip, Actor::Resolver, Actor::Resolver, HopKind::CacheCheck { which: Which::Resolver, hit: true }, said);
                }
                chain.extend(hit.records);
                return Answer { rcode: hit.rcode, records: chain, soa: hit.soa, from: Which::Resolver, total_ms: 0 };
            }
            if qtype != RType::Cname {
                if let Some(e) = self.resolver.get(&name, Some(RType::Cname), now) {
                    let records = e.aged(now);
                    if !was_fresh(&name, RType::Cname) {
                        self.note(trip, Actor::Resolver, Actor::Resolver, HopKind::CacheCheck { which: Which::Resolver, hit: true }, format!("The resolver's cache says {name} is an alias (CNAME); it follows it."));
                        checked = true;
                    }
                    if let Some(RData::Cname(target)) = records.first().map(|r| r.data.clone()) {
                        chain.extend(records);
                        name = target;
                        continue;
                    }
                }
            }
            if !checked {
                self.note(trip, Actor::Resolver, Actor::Resolver, HopKind::CacheCheck { which: Which::Resolver, hit: false }, format!("The resolver checks its cache for {name} {}: nothing, so it starts from the closest zone it knows servers for.", qtype.name()));
                checked = true;
            }
            // Iterate down from the closest zone with known servers.
            let (mut zone, mut servers) = self.closest_servers(&name);
            loop {
                if queries >= MAX_QUERIES {
                    return servfail(chain);
                }
                let Some(reply) = self.ask(trip, &servers, &zone, &name, qtype, &mut queries) else {
                    return servfail(chain);
                };
                let now = self.now_ms;
                if reply.header.rcode == Rcode::NxDomain {
                    let soa = reply.authority.iter().find(|r| r.rtype() == RType::Soa).cloned();
                    let ttl = soa.as_ref().map_or(0, negative_ttl);
                    self.resolver.put(Entry { name: name.clone(), rtype: None, records: soa.clone().into_iter().collect(), negative: Some(Rcode::NxDomain), stored_ms: now, ttl });
                    return Answer { rcode: Rcode::NxDomain, records: chain, soa, from: Which::Resolver, total_ms: 0 };
                }
                if reply.header.rcode != Rcode::NoError {
                    return servfail(chain);
                }
                if !reply.answer.is_empty() {
                    // Cache every record set in the answer, then let the cache drive the rest.
                    let mut sets: Vec<(Name, RType)> = Vec::new();
                    for r in &reply.answer {
                        if !sets.contains(&(r.name.clone(), r.rtype())) {
                            sets.push((r.name.clone(), r.rtype()));
                        }
                    }
                    for (n, t) in sets {
                        let records: Vec<Record> = reply.answer.iter().filter(|r| r.name == n && r.rtype() == t).cloned().collect();
                        let ttl = records.iter().map(|r| r.ttl).min().unwrap_or(0);
                        self.resolver.put(Entry { name: n.clone(), rtype: Some(t), records, negative: None, stored_ms: now, ttl });
                        fresh.push((n, t));
                    }
                    break;
                }
                let referral: Vec<&Record> = reply.authority.iter().filter(|r| r.rtype() == RType::Ns).collect();
                if referral.is_empty() || reply.header.aa {
                    // NODATA: the name exists without this type.
                    let soa = reply.authority.iter().find(|r| r.rtype() == RType::Soa).cloned();
                    let ttl = soa.as_ref().map_or(0, negative_ttl);
                    self.resolver.put(Entry { name: name.clone(), rtype: Some(qtype), records: soa.clone().into_iter().collect(), negative: Some(Rcode::NoError), stored_ms: now, ttl });
                    return Answer { rcode: Rcode::NoError, records: chain, soa, from: Which::Resolver, total_ms: 0 };
                }
                let child = referral[0].name.clone();
                if !child.is_within(&zone) || child == zone {
                    return servfail(chain); // a referral upwards or sideways: refuse to loop
                }
                let ns_ttl = referral.iter().map(|r| r.ttl).min().unwrap_or(0);
                self.resolver.put(Entry { name: child.clone(), rtype: Some(RType::Ns), records: referral.iter().map(|r| (*r).clone()).collect(), negative: None, stored_ms: now, ttl: ns_ttl });
                for glue in reply.additional.iter().filter(|r| r.rtype() == RType::A) {
                    self.resolver.put(Entry { name: glue.name.clone(), rtype: Some(RType::A), records: vec![glue.clone()], negative: None, stored_ms: now, ttl: glue.ttl });
                }
                let next = self.servers_for(&child);
                if next.is_empty() {
                    return servfail(chain); // glueless delegations are not simulated
                }
                zone = child;
                servers = next;
            }
        }
        servfail(chain)
    }

    /// The cached servers (by index) for `zone`, in NS order, from unexpired NS and glue.
    fn servers_for(&self, zone: &Name) -> Vec<usize> {
        let now = self.now_ms;
        let Some(ns) = self.resolver.get(zone, Some(RType::Ns), now) else { return Vec::new() };
        ns.records
            .iter()
            .filter_map(|r| match &r.data {
                RData::Ns(host) => self.resolver.get(host, Some(RType::A), now),
                _ => None,
            })
            .filter_map(|e| match e.records.first().map(|r| &r.data) {
                Some(RData::A(ip)) => self.world.server_by_ip(*ip),
                _ => None,
            })
            .collect()
    }

    /// The deepest zone enclosing `name` with servers in the cache, or the root from hints.
    fn closest_servers(&self, name: &Name) -> (Name, Vec<usize>) {
        let mut cut = name.clone();
        while !cut.is_root() {
            let servers = self.servers_for(&cut);
            if !servers.is_empty() {
                return (cut, servers);
            }
            cut = cut.parent();
        }
        (Name::root(), self.world.root_hints())
    }

    /// Sends the query to each server in turn until one answers.
    fn ask(&mut self, trip: &mut Trip, servers: &[usize], zone: &Name, name: &Name, qtype: RType, queries: &mut usize) -> Option<Message> {
        for (i, &s) in servers.iter().enumerate() {
            *queries += 1;
            let mut rng = self.rng();
            let id = rng.below(65_536) as u16;
            let server = self.world.servers[s].clone();
            let (lo, hi) = server.rtt_ms;
            let rtt = lo + rng.below(hi - lo + 1);
            let query = Message::query(id, name, qtype, false).with_edns(Edns::STUB);
            let at = self.now_ms;
            let why = if zone.is_root() {
                let tld = name.labels().last().cloned().unwrap_or_default();
                format!("It knows no closer servers, so it starts at the root. It sends the whole name, as resolvers long did; many now send each server only the part it needs (QNAME minimisation, RFC 9156), so the root would be asked only about {tld} and learn less of where you are going.")
            } else {
                format!("It knows the servers for {zone} from an earlier referral.")
            };
            let label = format!("{} {} ({})", server.role.label(), server.host, ip_text(server.ip));
            if i == 0 {
                self.wire(trip, Actor::Resolver, Actor::Server(s), &query, rtt / 2, at, format!("The resolver asks the {label} for {name} {}, without recursion. {why}", qtype.name()));
            } else {
                self.wire(trip, Actor::Resolver, Actor::Server(s), &query, rtt / 2, at, format!("The resolver tries the zone's next name server, the {label}."));
            }
            match self.world.answer(s, &query) {
                None => {
                    self.now_ms += TIMEOUT_MS;
                    self.note(trip, Actor::Server(s), Actor::Resolver, HopKind::Timeout, format!("No answer from {} within {TIMEOUT_MS} ms. Servers fail, which is why a zone should have more than one name server (RFC 2182); the resolver tries the next.", server.host));
                    if let Some(h) = trip.hops.last_mut() {
                        h.at_ms = at;
                        h.took_ms = TIMEOUT_MS;
                    }
                }
                Some(reply) => {
                    self.now_ms += rtt;
                    let note = describe(&reply, &server.host);
                    self.wire(trip, Actor::Server(s), Actor::Resolver, &reply, rtt - rtt / 2, at + rtt / 2, note);
                    return Some(reply);
                }
            }
        }
        None
    }
}

/// The narration for a server's reply.
fn describe(reply: &Message, host: &str) -> String {
    let ns: Vec<String> = reply.authority.iter().filter_map(|r| match &r.data {
        RData::Ns(h) => Some(h.to_string()),
        _ => None,
    }).collect();
    match reply.header.rcode {
        Rcode::NxDomain => format!("{host} answers NXDOMAIN: that name does not exist. The SOA record it includes says how long to remember that (RFC 2308: the lesser of its TTL and its MINIMUM field)."),
        Rcode::NoError if !reply.answer.is_empty() => {
            let cname = reply.answer.iter().any(|r| r.rtype() == RType::Cname);
            // Did the server follow the alias itself (the target is in its zone too)?
            let asked = reply.question.as_ref().map(|q| q.1);
            let followed = reply.answer.iter().any(|r| Some(r.rtype()) == asked && r.rtype() != RType::Cname);
            let records = reply.answer.iter().map(|r| format!("{} {} {}", r.name, r.rtype().name(), r.data)).collect::<Vec<_>>().join("; ");
            // Names end in a dot already: no second one.
            let stop = if records.ends_with('.') { "" } else { "." };
            let alias = match (cname, followed) {
                (true, true) => " The name is an alias (CNAME), and its target is in the same zone, so the server has followed it itself: the answer is complete.",
                (true, false) => " The name is an alias (CNAME) for a name elsewhere, so the resolver follows it to its target.",
                _ => "",
            };
            format!("{host} answers with authority (AA set): {records}{stop}{alias}")
        }
        Rcode::NoError if !ns.is_empty() && !reply.header.aa => format!(
            "{host} does not know the answer but refers the resolver onwards: the zone {} is served by {}, with {} (“glue”) in the additional section.",
            reply.authority[0].name,
            ns.join(" and "),
            if ns.len() == 1 { "its address" } else { "their addresses" }
        ),
        Rcode::NoError => format!("{host} answers NOERROR with no records (NODATA): the name exists but has no record of that type. Its SOA says how long to remember that."),
        other => format!("{host} answers {}.", other.name()),
    }
}

fn servfail(chain: Vec<Record>) -> Answer {
    Answer { rcode: Rcode::ServFail, records: chain, soa: None, from: Which::Resolver, total_ms: 0 }
}

/// RFC 2308 §5: a negative answer is cached for min(SOA TTL, SOA MINIMUM).
pub fn negative_ttl(soa: &Record) -> u32 {
    match soa.data {
        RData::Soa { minimum, .. } => soa.ttl.min(minimum),
        _ => 0,
    }
}

/// The TTL a downstream cache gives an answer: the smallest in the chain, or the negative TTL.
fn entry_ttl(a: &Answer) -> (u32, Option<Rcode>) {
    match (&a.soa, a.rcode) {
        (Some(soa), rcode) if a.records.is_empty() || rcode == Rcode::NxDomain => (negative_ttl(soa), Some(rcode)),
        (_, Rcode::ServFail) => (0, Some(Rcode::ServFail)),
        _ => (a.records.iter().map(|r| r.ttl).min().unwrap_or(0), None),
    }
}

fn cache_key(a: &Answer, rtype: RType) -> Option<RType> {
    if a.rcode == Rcode::NxDomain {
        None
    } else {
        Some(rtype)
    }
}

fn stored(a: &Answer) -> Vec<Record> {
    if a.records.is_empty() {
        a.soa.clone().into_iter().collect()
    } else {
        a.records.clone()
    }
}

pub fn ip_text(ip: [u8; 4]) -> String {
    format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look(dns: &mut Dns, name: &str, t: RType) -> (Answer, Vec<Hop>) {
        dns.lookup(&Name::of(name), t)
    }

    fn asked(hops: &[Hop], dns: &Dns) -> Vec<String> {
        hops.iter()
            .filter(|h| h.kind == HopKind::Message)
            .filter_map(|h| match h.to {
                Actor::Server(s) => Some(dns.world.servers[s].host.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_cold_lookup_walks_root_tld_authoritative_and_a_warm_one_stops_at_the_browser() {
        let mut dns = Dns::new(1);
        let (a, hops) = look(&mut dns, "example.com", RType::A);
        assert_eq!(a.rcode, Rcode::NoError);
        assert_eq!(a.records[0].data, RData::A([192, 0, 2, 10]));
        assert_eq!(asked(&hops, &dns), ["a.root-servers.net", "a.gtld-servers.net", "ns1.example.com"]);
        assert!(a.total_ms > 20);
        let (warm, hops) = look(&mut dns, "example.com", RType::A);
        assert_eq!(warm.from, Which::Browser);
        assert_eq!(hops.len(), 1);
        assert_eq!(warm.total_ms, 0);
    }

    #[test]
    fn after_the_browser_minute_the_os_answers_and_after_the_ttl_the_resolver_asks_again() {
        let mut dns = Dns::new(1);
        look(&mut dns, "example.com", RType::A);
        dns.advance(61);
        let (a, hops) = look(&mut dns, "example.com", RType::A);
        assert_eq!(a.from, Which::Os);
        assert!(asked(&hops, &dns).is_empty());
        assert!(a.records[0].ttl <= 300 - 61, "TTLs count down: {}", a.records[0].ttl);
        dns.advance(300);
        let (a, hops) = look(&mut dns, "example.com", RType::A);
        assert_eq!(a.from, Which::Resolver);
        // The address expired, but the delegation to example.com's servers did not: straight there.
        assert_eq!(asked(&hops, &dns), ["ns1.example.com"]);
        dns.clear(Which::Browser);
        dns.clear(Which::Os);
        dns.clear(Which::Resolver);
        let (_, hops) = look(&mut dns, "example.com", RType::A);
        assert_eq!(asked(&hops, &dns).len(), 3, "with every cache cleared, back to the root");
    }

    #[test]
    fn www_is_a_cname_to_the_apex() {
        let mut dns = Dns::new(2);
        let (a, _) = look(&mut dns, "www.example.com", RType::A);
        assert_eq!(a.records.len(), 2);
        assert_eq!(a.records[0].data, RData::Cname(Name::of("example.com")));
        assert_eq!(a.records[1].data, RData::A([192, 0, 2, 10]));
    }

    #[test]
    fn a_cname_chain_crosses_into_another_zone() {
        let mut dns = Dns::new(3);
        let (a, hops) = look(&mut dns, "www.example.org", RType::A);
        let types: Vec<RType> = a.records.iter().map(Record::rtype).collect();
        assert_eq!(types, [RType::Cname, RType::Cname, RType::A]);
        assert_eq!(a.records[2].data, RData::A([203, 0, 113, 7]));
        assert_eq!(
            asked(&hops, &dns),
            ["a.root-servers.net", "a0.org-servers.net", "ns1.example.org", "a.root-servers.net", "a.gtld-servers.net", "ns1.cdn-edge.net"]
        );
    }

    #[test]
    fn delegation_to_a_sub_zone_adds_a_referral() {
        let mut dns = Dns::new(4);
        let (a, hops) = look(&mut dns, "v1.api.example.io", RType::A);
        assert_eq!(a.records[0].data, RData::A([192, 0, 2, 41]));
        assert_eq!(asked(&hops, &dns), ["a.root-servers.net", "a0.nic.io", "ns1.example.io", "ns1.api.example.io"]);
    }

    #[test]
    fn mx_and_txt() {
        let mut dns = Dns::new(5);
        let (mx, _) = look(&mut dns, "example.com", RType::Mx);
        assert_eq!(mx.records[0].data, RData::Mx { preference: 10, exchange: Name::of("mail.example.com") });
        let (txt, hops) = look(&mut dns, "example.com", RType::Txt);
        assert_eq!(txt.records[0].data, RData::Txt(vec!["v=spf1 mx -all".into()]));
        assert_eq!(asked(&hops, &dns), ["ns1.example.com"], "the delegation is cached from the MX lookup");
    }

    #[test]
    fn nxdomain_is_cached_for_the_soa_minimum() {
        let mut dns = Dns::new(6);
        let (a, _) = look(&mut dns, "nope.example.com", RType::A);
        assert_eq!(a.rcode, Rcode::NxDomain);
        let soa = a.soa.clone().unwrap();
        assert_eq!(negative_ttl(&soa), 300, "min(SOA TTL 3600, MINIMUM 300)");
        dns.clear(Which::Browser);
        dns.clear(Which::Os);
        // NXDOMAIN covers every type at the name.
        let (aaaa, hops) = look(&mut dns, "nope.example.com", RType::Aaaa);
        assert_eq!((aaaa.rcode, aaaa.from), (Rcode::NxDomain, Which::Resolver));
        assert!(asked(&hops, &dns).is_empty());
        dns.advance(301);
        let (_, hops) = look(&mut dns, "nope.example.com", RType::A);
        assert_eq!(asked(&hops, &dns), ["ns1.example.com"], "expired: asked again");
    }

    /// RFC 2308 §3 and §5: the SOA of a negative answer carries min(TTL, MINIMUM) from the
    /// authority, and a resolver handing on its cached negative answer gives what is left of
    /// that lifetime, so the stub forgets the NXDOMAIN when the resolver does.
    #[test]
    fn a_negative_answer_handed_on_carries_its_remaining_lifetime() {
        let mut dns = Dns::new(6);
        let (_, hops) = look(&mut dns, "nope.example.com", RType::A);
        let from_authority = hops.iter().filter_map(|h| h.message.as_ref()).find(|m| m.header.aa && m.header.rcode == Rcode::NxDomain).expect("the authority's NXDOMAIN");
        assert_eq!(from_authority.authority[0].ttl, 300, "§3: min(SOA TTL 3600, MINIMUM 300) on the wire");
        dns.advance(200);
        dns.clear(Which::Browser);
        dns.clear(Which::Os);
        let (a, hops) = look(&mut dns, "nope.example.com", RType::A);
        assert_eq!((a.rcode, a.from), (Rcode::NxDomain, Which::Resolver));
        let to_stub = hops.iter().filter_map(|h| h.message.as_ref()).find(|m| m.header.qr).expect("the resolver's reply");
        // 300 s less the 200 s (and the first lookup's milliseconds) it has been cached.
        let handed = to_stub.authority[0].ttl;
        assert!((99..=100).contains(&handed), "§5: the remaining lifetime, not a fresh 300 s: {handed}");
        let os = dns.cache(Which::Os).get(&Name::of("nope.example.com"), None, dns.now_ms).expect("the stub caches it");
        assert_eq!(os.ttl, handed);
        dns.advance(101);
        dns.clear(Which::Browser);
        let (_, hops) = look(&mut dns, "nope.example.com", RType::A);
        assert_eq!(asked(&hops, &dns), ["ns1.example.com"], "both copies expired together: asked again");
    }

    /// §5 on its own: even when the SOA's own TTL outlasts the negative entry (an authority
    /// that ignores §3), what the cache hands on is the entry's remaining lifetime.
    #[test]
    fn a_cached_negative_answer_never_outlives_its_entry() {
        let mut dns = Dns::new(3);
        let name = Name::of("gone.example.com");
        let soa = Record::new("example.com", 3_600, RData::Soa { mname: Name::of("ns1.example.com"), rname: Name::of("hostmaster.example.com"), serial: 1, refresh: 7_200, retry: 900, expire: 86_400, minimum: 300 });
        dns.resolver.put(Entry { name: name.clone(), rtype: None, records: vec![soa], negative: Some(Rcode::NxDomain), stored_ms: 0, ttl: 300 });
        dns.advance(200);
        let a = dns.from_cache(Which::Resolver, &name, RType::Aaaa).expect("still cached");
        assert_eq!(a.rcode, Rcode::NxDomain);
        assert_eq!(a.soa.map(|r| r.ttl), Some(100));
    }

    /// Each narration a specialist objected to, pinned in its corrected form.
    #[test]
    fn the_narration_says_what_really_happens() {
        let notes = |hops: &[Hop]| hops.iter().map(|h| h.note.clone()).collect::<Vec<_>>();
        let has = |all: &[String], part: &str| all.iter().any(|n| n.contains(part));
        let mut dns = Dns::new(11);
        let (_, hops) = look(&mut dns, "www.example.com", RType::A);
        let all = notes(&hops);
        assert!(has(&all, "so is the UDP port it leaves from") && has(&all, "(RFC 5452)"), "a random ID alone is guessable");
        assert!(has(&all, "QNAME minimisation, RFC 9156") && has(&all, "asked only about com "), "sending the whole name to the root is a choice");
        assert!(all.iter().any(|n| n.contains("refers the resolver onwards: the zone com. is served by ")), "{all:#?}");
        assert!(!has(&all, " are served"), "the zone is singular");
        assert!(has(&all, "its target is in the same zone, so the server has followed it itself"), "www.example.com's CNAME is followed by its own server");
        assert!(!all.iter().any(|n| n.contains("..")), "no double full stops: {all:#?}");
        let (_, hops) = look(&mut dns, "www.example.org", RType::A);
        assert!(has(&notes(&hops), "for a name elsewhere, so the resolver follows it"));
        // A failure: the browser keeps nothing (Chrome caches failures for 0 s).
        let (_, hops) = look(&mut dns, "nope.example.com", RType::A);
        assert!(has(&notes(&hops), "ERR_NAME_NOT_RESOLVED") && has(&notes(&hops), "keeps no failure in its own cache"));
        assert!(dns.browser.get(&Name::of("nope.example.com"), None, dns.now_ms).is_none());
        // A cached NXDOMAIN answers another type, and says so.
        dns.clear(Which::Os);
        let (_, hops) = look(&mut dns, "nope.example.com", RType::Aaaa);
        let all = notes(&hops);
        assert!(has(&all, "The resolver's cache holds an NXDOMAIN for nope.example.com.") && has(&all, "covers every type at the name"), "{all:#?}");
        assert!(!has(&all, "finds nope.example.com. AAAA in its cache"));
        // NODATA for AAAA is not an error page.
        let (_, hops) = look(&mut dns, "mail.example.com", RType::Aaaa);
        assert!(has(&notes(&hops), "connects over IPv4 with the A record instead"));
        assert!(!has(&notes(&hops), "error page"));
        // MX does not go through getaddrinfo.
        let (_, hops) = look(&mut dns, "example.com", RType::Mx);
        assert!(has(&notes(&hops), "getaddrinfo returns only addresses"));
        // A silent server: zones should have more than one, not "every zone has two".
        let (_, hops) = look(&mut dns, "example.dev", RType::A);
        assert!(has(&notes(&hops), "a zone should have more than one name server (RFC 2182)"));
    }

    #[test]
    fn nodata_is_cached_per_type() {
        let mut dns = Dns::new(7);
        let (a, _) = look(&mut dns, "mail.example.com", RType::Aaaa);
        assert_eq!((a.rcode, a.records.len()), (Rcode::NoError, 0));
        assert!(a.soa.is_some());
        dns.clear(Which::Browser);
        dns.clear(Which::Os);
        let (a, hops) = look(&mut dns, "mail.example.com", RType::A);
        assert_eq!(a.records[0].data, RData::A([192, 0, 2, 25]), "another type at the same name still resolves");
        assert_eq!(asked(&hops, &dns).len(), 1);
    }

    #[test]
    fn a_silent_server_times_out_and_the_next_one_answers() {
        let mut dns = Dns::new(8);
        let (a, hops) = look(&mut dns, "example.dev", RType::A);
        assert_eq!(a.records[0].data, RData::A([192, 0, 2, 30]));
        assert!(hops.iter().any(|h| h.kind == HopKind::Timeout));
        let asked = asked(&hops, &dns);
        assert_eq!(&asked[asked.len() - 2..], ["ns1.example.dev", "ns2.example.dev"]);
        assert!(a.total_ms >= TIMEOUT_MS);
    }

    #[test]
    fn names_outside_the_sample_zones_do_not_exist() {
        let mut dns = Dns::new(9);
        let (a, _) = look(&mut dns, "nothing-here.com", RType::A);
        assert_eq!(a.rcode, Rcode::NxDomain);
        let (b, hops) = look(&mut dns, "example.xyz", RType::A);
        assert_eq!(b.rcode, Rcode::NxDomain);
        assert_eq!(asked(&hops, &dns), ["a.root-servers.net"], "the root itself says there is no .xyz here");
    }

    #[test]
    fn every_wire_hop_decodes_to_its_message_and_times_add_up() {
        let mut dns = Dns::new(10);
        for s in super::super::world::SAMPLES {
            let start = dns.now_ms;
            let (a, hops) = dns.lookup(&Name::of(s.name), s.rtype);
            assert_eq!(a.total_ms, dns.now_ms - start);
            for h in &hops {
                if h.kind == HopKind::Message {
                    assert_eq!(decode(&h.bytes).ok().as_ref(), h.message.as_ref());
                    assert!(!h.spans.is_empty());
                }
            }
        }
    }

    #[test]
    fn same_seed_same_lookups() {
        let run = |seed| {
            let mut dns = Dns::new(seed);
            let (_, hops) = look(&mut dns, "www.example.org", RType::A);
            hops
        };
        assert_eq!(run(11), run(11));
        assert_ne!(run(11), run(12));
    }
}
