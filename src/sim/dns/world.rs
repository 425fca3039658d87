//! The simulated internet of name servers: two root servers, servers for five top-level
//! domains, and authoritative servers for a handful of sample zones, each case chosen to show
//! one thing (a CNAME to the apex, a chain across zones, a delegated sub-zone, NXDOMAIN,
//! NODATA, a server that never answers).
//!
//! Root server names and addresses are the real ones; everything else uses the address
//! blocks reserved for documentation (RFC 5737, RFC 3849), so nothing here points at a
//! real machine. Each server answers the way an authoritative server does (RFC 1034 §4.3.2):
//! an answer from its zone, a referral to a child zone, NXDOMAIN or NODATA with its SOA.

use super::wire::{Edns, Header, Message, Name, RData, RType, Rcode, Record};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Root,
    Tld,
    Authoritative,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Root => "root server",
            Role::Tld => "TLD server",
            Role::Authoritative => "authoritative server",
        }
    }
}

/// One name server: its host name and address, the zones it serves, and how far away it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Server {
    pub host: &'static str,
    pub ip: [u8; 4],
    pub role: Role,
    pub zones: Vec<usize>,
    /// Round-trip time range from the recursive resolver, in ms: anycast roots and TLDs are
    /// near, some authoritative servers are on another continent.
    pub rtt_ms: (u64, u64),
    /// Never answers (a dead server), so the resolver must time out and try another.
    pub silent: bool,
}

/// A zone: its apex, its records (including NS records for delegations to children and glue
/// addresses for them), and its SOA.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone {
    pub apex: Name,
    pub records: Vec<Record>,
}

impl Zone {
    pub fn soa(&self) -> Option<&Record> {
        self.records.iter().find(|r| r.rtype() == RType::Soa && r.name == self.apex)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct World {
    pub servers: Vec<Server>,
    pub zones: Vec<Zone>,
}

/// A sample lookup offered in the widget's menu, with what it shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    pub name: &'static str,
    pub rtype: RType,
    pub shows: &'static str,
}

pub const SAMPLES: &[Sample] = &[
    Sample { name: "example.com", rtype: RType::A, shows: "a plain address record" },
    Sample { name: "www.example.com", rtype: RType::A, shows: "www as a CNAME to the apex" },
    Sample { name: "example.com", rtype: RType::Aaaa, shows: "an IPv6 address" },
    Sample { name: "www.example.org", rtype: RType::A, shows: "a CNAME chain into a CDN's zone" },
    Sample { name: "example.com", rtype: RType::Mx, shows: "the mail server" },
    Sample { name: "example.com", rtype: RType::Txt, shows: "a text record (SPF)" },
    Sample { name: "v1.api.example.io", rtype: RType::A, shows: "a delegated sub-zone" },
    Sample { name: "nope.example.com", rtype: RType::A, shows: "a name that does not exist (NXDOMAIN)" },
    Sample { name: "mail.example.com", rtype: RType::Aaaa, shows: "a name without that type (NODATA)" },
    Sample { name: "example.dev", rtype: RType::A, shows: "a dead name server, then its twin" },
];

fn soa(zone: &str, ns: &str, ttl: u32, minimum: u32) -> Record {
    Record::new(
        zone,
        ttl,
        RData::Soa {
            mname: Name::of(ns),
            rname: Name::of(&format!("hostmaster.{}", if zone == "." { "root-servers.net" } else { zone })),
            serial: 2026112401,
            refresh: 7200,
            retry: 3600,
            expire: 1_209_600,
            minimum,
        },
    )
}

fn a(name: &str, ttl: u32, ip: [u8; 4]) -> Record {
    Record::new(name, ttl, RData::A(ip))
}

fn ns(name: &str, ttl: u32, host: &str) -> Record {
    Record::new(name, ttl, RData::Ns(Name::of(host)))
}

fn cname(name: &str, ttl: u32, target: &str) -> Record {
    Record::new(name, ttl, RData::Cname(Name::of(target)))
}

fn doc6(last: u16) -> RData {
    RData::Aaaa([0x2001, 0xdb8, 0, 0, 0, 0, 0, last])
}

impl World {
    /// The sample internet.
    pub fn sample() -> World {
        const TLD_TTL: u32 = 172_800; // two days, as the real root zone sets for delegations
        let root = Zone {
            apex: Name::root(),
            records: vec![
                soa(".", "a.root-servers.net", 86_400, 86_400),
                ns(".", 518_400, "a.root-servers.net"),
                ns(".", 518_400, "b.root-servers.net"),
                ns("com", TLD_TTL, "a.gtld-servers.net"),
                ns("net", TLD_TTL, "a.gtld-servers.net"),
                ns("org", TLD_TTL, "a0.org-servers.net"),
                ns("dev", TLD_TTL, "ns1.nic.dev"),
                ns("io", TLD_TTL, "a0.nic.io"),
                a("a.root-servers.net", 518_400, [198, 41, 0, 4]),
                a("b.root-servers.net", 518_400, [170, 247, 170, 2]),
                a("a.gtld-servers.net", TLD_TTL, [192, 0, 2, 30]),
                a("a0.org-servers.net", TLD_TTL, [192, 0, 2, 31]),
                a("ns1.nic.dev", TLD_TTL, [192, 0, 2, 32]),
                a("a0.nic.io", TLD_TTL, [192, 0, 2, 33]),
            ],
        };
        let tld = |apex: &str, server: &str, delegations: &[(&str, &[(&str, [u8; 4])])]| {
            let mut records = vec![soa(apex, server, 900, 900)];
            for (child, servers) in delegations {
                for (host, ip) in servers.iter() {
                    records.push(ns(child, TLD_TTL, host));
                    records.push(a(host, TLD_TTL, *ip));
                }
            }
            Zone { apex: Name::of(apex), records }
        };
        let com = tld("com", "a.gtld-servers.net", &[("example.com", &[("ns1.example.com", [198, 51, 100, 10]), ("ns2.example.com", [198, 51, 100, 11])])]);
        let net = tld("net", "a.gtld-servers.net", &[("cdn-edge.net", &[("ns1.cdn-edge.net", [203, 0, 113, 53])])]);
        let org = tld("org", "a0.org-servers.net", &[("example.org", &[("ns1.example.org", [198, 51, 100, 20])])]);
        let dev = tld("dev", "ns1.nic.dev", &[("example.dev", &[("ns1.example.dev", [198, 51, 100, 30]), ("ns2.example.dev", [198, 51, 100, 31])])]);
        let io = tld("io", "a0.nic.io", &[("example.io", &[("ns1.example.io", [198, 51, 100, 40])])]);
        let example_com = Zone {
            apex: Name::of("example.com"),
            records: vec![
                soa("example.com", "ns1.example.com", 3_600, 300),
                ns("example.com", 86_400, "ns1.example.com"),
                ns("example.com", 86_400, "ns2.example.com"),
                a("ns1.example.com", 86_400, [198, 51, 100, 10]),
                a("ns2.example.com", 86_400, [198, 51, 100, 11]),
                a("example.com", 300, [192, 0, 2, 10]),
                Record::new("example.com", 300, doc6(0x10)),
                cname("www.example.com", 3_600, "example.com"),
                Record::new("example.com", 3_600, RData::Mx { preference: 10, exchange: Name::of("mail.example.com") }),
                Record::new("example.com", 3_600, RData::Txt(vec!["v=spf1 mx -all".into()])),
                a("mail.example.com", 3_600, [192, 0, 2, 25]),
            ],
        };
        let example_org = Zone {
            apex: Name::of("example.org"),
            records: vec![
                soa("example.org", "ns1.example.org", 3_600, 600),
                ns("example.org", 86_400, "ns1.example.org"),
                a("ns1.example.org", 86_400, [198, 51, 100, 20]),
                cname("www.example.org", 3_600, "example-org.cdn-edge.net"),
            ],
        };
        let cdn = Zone {
            apex: Name::of("cdn-edge.net"),
            records: vec![
                soa("cdn-edge.net", "ns1.cdn-edge.net", 60, 30),
                ns("cdn-edge.net", 86_400, "ns1.cdn-edge.net"),
                a("ns1.cdn-edge.net", 86_400, [203, 0, 113, 53]),
                cname("example-org.cdn-edge.net", 300, "edge-7.pop-ams.cdn-edge.net"),
                a("edge-7.pop-ams.cdn-edge.net", 20, [203, 0, 113, 7]),
            ],
        };
        let example_io = Zone {
            apex: Name::of("example.io"),
            records: vec![
                soa("example.io", "ns1.example.io", 3_600, 300),
                ns("example.io", 86_400, "ns1.example.io"),
                a("ns1.example.io", 86_400, [198, 51, 100, 40]),
                a("example.io", 300, [192, 0, 2, 40]),
                ns("api.example.io", 86_400, "ns1.api.example.io"),
                a("ns1.api.example.io", 86_400, [198, 51, 100, 41]),
            ],
        };
        let api = Zone {
            apex: Name::of("api.example.io"),
            records: vec![
                soa("api.example.io", "ns1.api.example.io", 600, 60),
                ns("api.example.io", 86_400, "ns1.api.example.io"),
                a("ns1.api.example.io", 86_400, [198, 51, 100, 41]),
                a("v1.api.example.io", 60, [192, 0, 2, 41]),
            ],
        };
        let example_dev = Zone {
            apex: Name::of("example.dev"),
            records: vec![
                soa("example.dev", "ns2.example.dev", 3_600, 300),
                ns("example.dev", 86_400, "ns1.example.dev"),
                ns("example.dev", 86_400, "ns2.example.dev"),
                a("ns1.example.dev", 86_400, [198, 51, 100, 30]),
                a("ns2.example.dev", 86_400, [198, 51, 100, 31]),
                a("example.dev", 600, [192, 0, 2, 30]),
            ],
        };
        let zones = vec![root, com, net, org, dev, io, example_com, example_org, cdn, example_io, api, example_dev];
        let server = |host, ip, role, zones: &[usize], rtt_ms, silent| Server { host, ip, role, zones: zones.to_vec(), rtt_ms, silent };
        let servers = vec![
            server("a.root-servers.net", [198, 41, 0, 4], Role::Root, &[0], (4, 12), false),
            server("b.root-servers.net", [170, 247, 170, 2], Role::Root, &[0], (6, 20), false),
            server("a.gtld-servers.net", [192, 0, 2, 30], Role::Tld, &[1, 2], (5, 15), false),
            server("a0.org-servers.net", [192, 0, 2, 31], Role::Tld, &[3], (8, 25), false),
            server("ns1.nic.dev", [192, 0, 2, 32], Role::Tld, &[4], (8, 25), false),
            server("a0.nic.io", [192, 0, 2, 33], Role::Tld, &[5], (10, 40), false),
            server("ns1.example.com", [198, 51, 100, 10], Role::Authoritative, &[6], (20, 60), false),
            server("ns2.example.com", [198, 51, 100, 11], Role::Authoritative, &[6], (70, 140), false),
            server("ns1.example.org", [198, 51, 100, 20], Role::Authoritative, &[7], (60, 130), false),
            server("ns1.cdn-edge.net", [203, 0, 113, 53], Role::Authoritative, &[8], (3, 10), false),
            server("ns1.example.io", [198, 51, 100, 40], Role::Authoritative, &[9], (40, 90), false),
            server("ns1.api.example.io", [198, 51, 100, 41], Role::Authoritative, &[10], (40, 90), false),
            server("ns1.example.dev", [198, 51, 100, 30], Role::Authoritative, &[11], (30, 80), true),
            server("ns2.example.dev", [198, 51, 100, 31], Role::Authoritative, &[11], (30, 80), false),
        ];
        World { servers, zones }
    }

    pub fn server_by_ip(&self, ip: [u8; 4]) -> Option<usize> {
        self.servers.iter().position(|s| s.ip == ip)
    }

    /// The root servers, the resolver's built-in "hints".
    pub fn root_hints(&self) -> Vec<usize> {
        (0..self.servers.len()).filter(|&i| self.servers[i].role == Role::Root).collect()
    }

    /// How server `s` answers `query`: `None` when it stays silent. A query that carries
    /// EDNS gets an OPT record back (RFC 6891 §7), with the server's own UDP size.
    pub fn answer(&self, s: usize, query: &Message) -> Option<Message> {
        let reply = self.answer_plain(s, query)?;
        Some(match query.edns() {
            Some(_) => reply.with_edns(Edns::STUB),
            None => reply,
        })
    }

    fn answer_plain(&self, s: usize, query: &Message) -> Option<Message> {
        let server = &self.servers[s];
        if server.silent {
            return None;
        }
        let mut reply = Message {
            header: Header { id: query.header.id, qr: true, aa: false, tc: false, rd: query.header.rd, ra: false, z: false, ad: false, cd: query.header.cd, rcode: Rcode::NoError },
            question: query.question.clone(),
            answer: Vec::new(),
            authority: Vec::new(),
            additional: Vec::new(),
        };
        let Some((qname, qtype)) = &query.question else {
            reply.header.rcode = Rcode::FormErr;
            return Some(reply);
        };
        // The most specific zone this server holds that contains the name.
        let Some(zone) = server.zones.iter().map(|&z| &self.zones[z]).filter(|z| qname.is_within(&z.apex)).max_by_key(|z| z.apex.labels().len()) else {
            reply.header.rcode = Rcode::Refused;
            return Some(reply);
        };
        // A delegation between the apex and the name sends the asker down to the child zone.
        let mut cut = qname.clone();
        let mut delegation = None;
        while cut != zone.apex && !cut.is_root() {
            if zone.records.iter().any(|r| r.name == cut && r.rtype() == RType::Ns) {
                delegation = Some(cut.clone());
            }
            cut = cut.parent();
        }
        if let Some(child) = delegation {
            for r in zone.records.iter().filter(|r| r.name == child && r.rtype() == RType::Ns) {
                reply.authority.push(r.clone());
                if let RData::Ns(host) = &r.data {
                    reply.additional.extend(zone.records.iter().filter(|g| &g.name == host && g.rtype() == RType::A).cloned());
                }
            }
            return Some(reply);
        }
        reply.header.aa = true;
        let at_name: Vec<&Record> = zone.records.iter().filter(|r| &r.name == qname).collect();
        // RFC 2308 §3: the SOA in a negative answer carries the lesser of its own TTL and its
        // MINIMUM field, the time the negative answer may be cached.
        let soa = || {
            zone.soa()
                .cloned()
                .map(|mut r| {
                    if let RData::Soa { minimum, .. } = r.data {
                        r.ttl = r.ttl.min(minimum);
                    }
                    r
                })
                .into_iter()
                .collect::<Vec<_>>()
        };
        if at_name.is_empty() {
            reply.header.rcode = Rcode::NxDomain;
            reply.authority = soa();
            return Some(reply);
        }
        let exact: Vec<Record> = at_name.iter().filter(|r| r.rtype() == *qtype).map(|r| (*r).clone()).collect();
        if !exact.is_empty() {
            reply.answer = exact;
        } else if let Some(c) = at_name.iter().find(|r| r.rtype() == RType::Cname) {
            // Follow the CNAME within this zone as far as it goes, as authoritative servers do.
            reply.answer.push((*c).clone());
            let mut target = match &c.data {
                RData::Cname(t) => t.clone(),
                _ => unreachable!("filtered on CNAME"),
            };
            for _ in 0..8 {
                if !target.is_within(&zone.apex) {
                    break;
                }
                let here: Vec<&Record> = zone.records.iter().filter(|r| r.name == target).collect();
                let found: Vec<Record> = here.iter().filter(|r| r.rtype() == *qtype).map(|r| (*r).clone()).collect();
                if !found.is_empty() {
                    reply.answer.extend(found);
                    break;
                }
                match here.iter().find(|r| r.rtype() == RType::Cname) {
                    Some(next) => {
                        reply.answer.push((*next).clone());
                        if let RData::Cname(t) = &next.data {
                            target = t.clone();
                        }
                    }
                    None => break,
                }
            }
        } else {
            reply.authority = soa(); // NODATA: the name exists, the type does not
        }
        if *qtype == RType::Mx || *qtype == RType::Ns {
            // Addresses of the hosts named in the answer, to save a lookup.
            for r in reply.answer.clone() {
                let host = match &r.data {
                    RData::Mx { exchange, .. } => exchange.clone(),
                    RData::Ns(h) => h.clone(),
                    _ => continue,
                };
                reply.additional.extend(zone.records.iter().filter(|g| g.name == host && g.rtype() == RType::A).cloned());
            }
        }
        Some(reply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(w: &World, host: &str, name: &str, t: RType) -> Message {
        let s = w.servers.iter().position(|s| s.host == host).unwrap();
        w.answer(s, &Message::query(1, &Name::of(name), t, false)).unwrap()
    }

    #[test]
    fn each_level_answers_as_its_role_does() {
        let w = World::sample();
        let root = ask(&w, "a.root-servers.net", "www.example.com", RType::A);
        assert!(!root.header.aa && root.answer.is_empty());
        assert!(root.authority.iter().all(|r| r.name == Name::of("com")));
        assert_eq!(root.additional[0].data, RData::A([192, 0, 2, 30]));
        let tld = ask(&w, "a.gtld-servers.net", "www.example.com", RType::A);
        assert_eq!(tld.authority.len(), 2);
        assert_eq!(tld.additional.len(), 2);
        let auth = ask(&w, "ns1.example.com", "www.example.com", RType::A);
        assert!(auth.header.aa);
        assert_eq!(auth.answer.len(), 2, "the CNAME and the apex's address");
        let nx = ask(&w, "ns1.example.com", "nope.example.com", RType::A);
        assert_eq!(nx.header.rcode, Rcode::NxDomain);
        assert_eq!(nx.authority[0].rtype(), RType::Soa);
        assert_eq!(nx.authority[0].ttl, 300, "RFC 2308 §3: min(SOA TTL 3600, MINIMUM 300)");
        let nodata = ask(&w, "ns1.example.com", "mail.example.com", RType::Aaaa);
        assert_eq!((nodata.header.rcode, nodata.answer.len(), nodata.authority.len()), (Rcode::NoError, 0, 1));
        assert_eq!(nodata.authority[0].ttl, 300);
        let sub = ask(&w, "ns1.example.io", "v1.api.example.io", RType::A);
        assert_eq!(sub.authority[0].data, RData::Ns(Name::of("ns1.api.example.io")));
        let dead = w.servers.iter().position(|s| s.silent).unwrap();
        assert_eq!(w.answer(dead, &Message::query(1, &Name::of("example.dev"), RType::A, false)), None);
        let refused = ask(&w, "ns1.example.com", "example.org", RType::A);
        assert_eq!(refused.header.rcode, Rcode::Refused);
        // EDNS in, EDNS out; none in, none out.
        assert_eq!(root.edns(), None);
        let with = w.answer(0, &Message::query(1, &Name::of("www.example.com"), RType::A, false).with_edns(Edns::STUB)).unwrap();
        assert_eq!(with.edns(), Some(Edns::STUB));
        assert_eq!(with.additional.iter().filter(|r| r.rtype() == RType::A).count(), root.additional.len(), "the glue is all still there");
    }

    #[test]
    fn every_delegation_has_glue_and_a_server() {
        let w = World::sample();
        for z in &w.zones {
            for r in z.records.iter().filter(|r| r.rtype() == RType::Ns) {
                let RData::Ns(host) = &r.data else { continue };
                let glue = z.records.iter().find(|g| &g.name == host && g.rtype() == RType::A);
                let Some(RData::A(ip)) = glue.map(|g| &g.data) else { panic!("{host} has no glue in {}", z.apex) };
                assert!(w.server_by_ip(*ip).is_some(), "{host} {ip:?} is not a server");
            }
        }
    }
}
