//! DNS messages in RFC 1035 wire format: names, records, the header and its flags, encoding
//! with name compression (RFC 1035 §4.1.4) and a strict decoder. The encoder also reports a
//! labelled span for every field, so the widget can show which bytes mean what.

use std::fmt;

/// A validated domain name: lowercase labels, root last and implied. `labels` is empty for
/// the root itself.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name {
    labels: Vec<String>,
}

/// Longest name in its usual text form (without the final dot), RFC 1035 §2.3.4 leaves 253.
pub const MAX_NAME_CHARS: usize = 253;
pub const MAX_LABEL: usize = 63;

impl Name {
    pub fn root() -> Name {
        Name { labels: Vec::new() }
    }

    /// Parses a host name as a reader types it: letters, digits and hyphens (and `_` for
    /// service labels such as `_dmarc`), dots between labels, an optional final dot. Each
    /// problem gets its own message.
    pub fn parse(text: &str) -> Result<Name, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("Type a name to look up, like example.com.".into());
        }
        if t == "." {
            return Ok(Name::root());
        }
        let body = t.strip_suffix('.').unwrap_or(t);
        if body.chars().count() > MAX_NAME_CHARS {
            return Err(format!("That name is {} characters long; a domain name can have at most {MAX_NAME_CHARS}.", body.chars().count()));
        }
        let mut labels = Vec::new();
        for label in body.split('.') {
            if label.is_empty() {
                return Err("A name cannot have an empty label: two dots in a row, or a dot at the start.".into());
            }
            if let Some(bad) = label.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
                let shown = if bad.is_control() || bad.is_whitespace() { format!("U+{:04X}", bad as u32) } else { format!("“{bad}”") };
                return Err(format!("{shown} is not allowed in a host name: use letters, digits and hyphens (internationalised names travel as xn-- punycode)."));
            }
            if label.len() > MAX_LABEL {
                return Err(format!("The label “{}…” is {} characters long; each label can have at most {MAX_LABEL}.", &label[..12], label.len()));
            }
            if label.starts_with('-') || label.ends_with('-') {
                return Err(format!("The label “{label}” starts or ends with a hyphen, which host names do not allow."));
            }
            labels.push(label.to_ascii_lowercase());
        }
        Ok(Name { labels })
    }

    /// For names written in this module's own tables; they are known to be valid.
    pub fn of(text: &str) -> Name {
        Name::parse(text).unwrap_or_else(|_| Name::root())
    }

    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    pub fn is_root(&self) -> bool {
        self.labels.is_empty()
    }

    /// The name with its first label removed (the root's parent is the root).
    pub fn parent(&self) -> Name {
        Name { labels: self.labels.iter().skip(1).cloned().collect() }
    }

    /// True when `self` is `zone` or lies under it.
    pub fn is_within(&self, zone: &Name) -> bool {
        self.labels.len() >= zone.labels.len() && self.labels[self.labels.len() - zone.labels.len()..] == zone.labels[..]
    }

    /// Length in wire format without compression: a length byte per label, the labels, and
    /// the final zero.
    pub fn wire_len(&self) -> usize {
        self.labels.iter().map(|l| l.len() + 1).sum::<usize>() + 1
    }
}

impl fmt::Display for Name {
    /// The fully qualified form, with the final dot: `www.example.com.`, or `.` for the root.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.labels.is_empty() {
            return f.write_str(".");
        }
        for l in &self.labels {
            f.write_str(l)?;
            f.write_str(".")?;
        }
        Ok(())
    }
}

/// The record types the simulation serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RType {
    A,
    Ns,
    Cname,
    Soa,
    Mx,
    Txt,
    Aaaa,
    /// EDNS's pseudo-record (RFC 6891): not data, but the sender's options, in the
    /// additional section.
    Opt,
}

impl RType {
    /// Types a reader can ask for, in menu order.
    pub const ASKABLE: [RType; 6] = [RType::A, RType::Aaaa, RType::Cname, RType::Mx, RType::Txt, RType::Ns];

    pub fn code(self) -> u16 {
        match self {
            RType::A => 1,
            RType::Ns => 2,
            RType::Cname => 5,
            RType::Soa => 6,
            RType::Mx => 15,
            RType::Txt => 16,
            RType::Aaaa => 28,
            RType::Opt => 41,
        }
    }

    pub fn from_code(code: u16) -> Option<RType> {
        [RType::A, RType::Ns, RType::Cname, RType::Soa, RType::Mx, RType::Txt, RType::Aaaa, RType::Opt].into_iter().find(|t| t.code() == code)
    }

    pub fn name(self) -> &'static str {
        match self {
            RType::A => "A",
            RType::Ns => "NS",
            RType::Cname => "CNAME",
            RType::Soa => "SOA",
            RType::Mx => "MX",
            RType::Txt => "TXT",
            RType::Aaaa => "AAAA",
            RType::Opt => "OPT",
        }
    }

    pub fn from_name(name: &str) -> Option<RType> {
        [RType::A, RType::Ns, RType::Cname, RType::Soa, RType::Mx, RType::Txt, RType::Aaaa].into_iter().find(|t| t.name().eq_ignore_ascii_case(name))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RData {
    A([u8; 4]),
    Aaaa([u16; 8]),
    Ns(Name),
    Cname(Name),
    Mx { preference: u16, exchange: Name },
    Txt(Vec<String>),
    Soa { mname: Name, rname: Name, serial: u32, refresh: u32, retry: u32, expire: u32, minimum: u32 },
    /// EDNS (RFC 6891 §6.1.2): the largest UDP reply the sender takes (carried in the class
    /// field) and its options, each a code and bytes. The record's TTL field carries the
    /// extended status, the EDNS version and the DO flag (see [`Edns`]).
    Opt { udp_size: u16, options: Vec<(u16, Vec<u8>)> },
}

impl RData {
    pub fn rtype(&self) -> RType {
        match self {
            RData::A(_) => RType::A,
            RData::Aaaa(_) => RType::Aaaa,
            RData::Ns(_) => RType::Ns,
            RData::Cname(_) => RType::Cname,
            RData::Mx { .. } => RType::Mx,
            RData::Txt(_) => RType::Txt,
            RData::Soa { .. } => RType::Soa,
            RData::Opt { .. } => RType::Opt,
        }
    }
}

impl fmt::Display for RData {
    /// Presentation format, as in a zone file or `dig` output.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RData::A(a) => write!(f, "{}.{}.{}.{}", a[0], a[1], a[2], a[3]),
            RData::Aaaa(groups) => f.write_str(&ipv6_text(groups)),
            RData::Ns(n) | RData::Cname(n) => write!(f, "{n}"),
            RData::Mx { preference, exchange } => write!(f, "{preference} {exchange}"),
            RData::Txt(parts) => {
                let quoted: Vec<String> = parts.iter().map(|p| format!("\"{}\"", p.replace('\\', "\\\\").replace('"', "\\\""))).collect();
                f.write_str(&quoted.join(" "))
            }
            RData::Soa { mname, rname, serial, refresh, retry, expire, minimum } => {
                write!(f, "{mname} {rname} {serial} {refresh} {retry} {expire} {minimum}")
            }
            RData::Opt { udp_size, options } => write!(f, "udp {udp_size}, {} option{}", options.len(), if options.len() == 1 { "" } else { "s" }),
        }
    }
}

/// RFC 5952 text for an IPv6 address: lowercase hex, the longest run of two or more zero
/// groups shortened to `::`.
pub fn ipv6_text(g: &[u16; 8]) -> String {
    let (mut best, mut best_len, mut i) = (usize::MAX, 0, 0);
    while i < 8 {
        if g[i] == 0 {
            let start = i;
            while i < 8 && g[i] == 0 {
                i += 1;
            }
            if i - start > best_len && i - start >= 2 {
                best = start;
                best_len = i - start;
            }
        } else {
            i += 1;
        }
    }
    let hex = |s: &[u16]| s.iter().map(|x| format!("{x:x}")).collect::<Vec<_>>().join(":");
    if best == usize::MAX {
        hex(g)
    } else {
        format!("{}::{}", hex(&g[..best]), hex(&g[best + best_len..]))
    }
}

/// One resource record (class IN throughout).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Record {
    pub name: Name,
    pub ttl: u32,
    pub data: RData,
}

impl Record {
    pub fn new(name: &str, ttl: u32, data: RData) -> Record {
        Record { name: Name::of(name), ttl, data }
    }

    pub fn rtype(&self) -> RType {
        self.data.rtype()
    }
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.data, Edns::of(self)) {
            // As dig prints its OPT pseudosection.
            (RData::Opt { udp_size, .. }, Some(e)) => write!(f, "; EDNS: version: {}, flags:{}; udp: {udp_size}", e.version, if e.dnssec_ok { " do" } else { "" }),
            _ => write!(f, "{} {} IN {} {}", self.name, self.ttl, self.rtype().name(), self.data),
        }
    }
}

/// What an OPT record's TTL field means (RFC 6891 §6.1.3): the upper eight bits of a 12-bit
/// status code, the EDNS version, and the DO flag (the sender wants DNSSEC records).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edns {
    pub udp_size: u16,
    pub extended_rcode: u8,
    pub version: u8,
    pub dnssec_ok: bool,
}

impl Edns {
    /// The EDNS a stub or resolver sends today: version 0 and a 1,232-byte UDP limit (the
    /// size DNS Flag Day 2020 settled on, so replies fit unfragmented in most networks).
    pub const STUB: Edns = Edns { udp_size: 1232, extended_rcode: 0, version: 0, dnssec_ok: false };

    pub fn of(r: &Record) -> Option<Edns> {
        match r.data {
            RData::Opt { udp_size, .. } => Some(Edns { udp_size, extended_rcode: (r.ttl >> 24) as u8, version: (r.ttl >> 16) as u8, dnssec_ok: r.ttl & 0x8000 != 0 }),
            _ => None,
        }
    }

    /// As an OPT record, with no options.
    pub fn record(self) -> Record {
        let ttl = (u32::from(self.extended_rcode) << 24) | (u32::from(self.version) << 16) | (u32::from(self.dnssec_ok) << 15);
        Record { name: Name { labels: Vec::new() }, ttl, data: RData::Opt { udp_size: self.udp_size, options: Vec::new() } }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rcode {
    NoError,
    FormErr,
    ServFail,
    NxDomain,
    NotImp,
    Refused,
}

impl Rcode {
    pub fn code(self) -> u8 {
        match self {
            Rcode::NoError => 0,
            Rcode::FormErr => 1,
            Rcode::ServFail => 2,
            Rcode::NxDomain => 3,
            Rcode::NotImp => 4,
            Rcode::Refused => 5,
        }
    }

    pub fn from_code(c: u8) -> Option<Rcode> {
        [Rcode::NoError, Rcode::FormErr, Rcode::ServFail, Rcode::NxDomain, Rcode::NotImp, Rcode::Refused].into_iter().find(|r| r.code() == c)
    }

    pub fn name(self) -> &'static str {
        match self {
            Rcode::NoError => "NOERROR",
            Rcode::FormErr => "FORMERR",
            Rcode::ServFail => "SERVFAIL",
            Rcode::NxDomain => "NXDOMAIN",
            Rcode::NotImp => "NOTIMP",
            Rcode::Refused => "REFUSED",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub id: u16,
    /// A response (true) or a query.
    pub qr: bool,
    /// Authoritative answer.
    pub aa: bool,
    /// Truncated.
    pub tc: bool,
    /// Recursion desired.
    pub rd: bool,
    /// Recursion available.
    pub ra: bool,
    /// The reserved bit, zero in every message today; kept so that every bit round-trips.
    pub z: bool,
    /// Authentic data: the resolver validated the answer with DNSSEC (RFC 4035 §3.2.3).
    pub ad: bool,
    /// Checking disabled: the asker will validate for itself (RFC 4035 §3.2.2).
    pub cd: bool,
    pub rcode: Rcode,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub header: Header,
    pub question: Option<(Name, RType)>,
    pub answer: Vec<Record>,
    pub authority: Vec<Record>,
    pub additional: Vec<Record>,
}

impl Message {
    pub fn query(id: u16, name: &Name, rtype: RType, recursion_desired: bool) -> Message {
        Message {
            header: Header { id, qr: false, aa: false, tc: false, rd: recursion_desired, ra: false, z: false, ad: false, cd: false, rcode: Rcode::NoError },
            question: Some((name.clone(), rtype)),
            answer: Vec::new(),
            authority: Vec::new(),
            additional: Vec::new(),
        }
    }

    /// The message with an OPT record for `edns` at the end of its additional section.
    pub fn with_edns(mut self, edns: Edns) -> Message {
        self.additional.retain(|r| r.rtype() != RType::Opt);
        self.additional.push(edns.record());
        self
    }

    /// The sender's EDNS, if its message carries an OPT record.
    pub fn edns(&self) -> Option<Edns> {
        self.additional.iter().find_map(Edns::of)
    }

    /// The full 12-bit status: the header's four bits, under the OPT record's eight.
    pub fn full_rcode(&self) -> u16 {
        (u16::from(self.edns().map_or(0, |e| e.extended_rcode)) << 4) | u16::from(self.header.rcode.code())
    }

    /// The status by name, extended ones included (BADVERS when a server does not speak the
    /// asker's EDNS version).
    pub fn status_name(&self) -> String {
        match self.full_rcode() {
            code if code < 16 => self.header.rcode.name().to_string(),
            // IANA's DNS RCODE registry: 16 is BADVERS wherever there is no TSIG.
            16 => "BADVERS".into(),
            code @ 17..=23 => ["BADKEY", "BADTIME", "BADMODE", "BADNAME", "BADALG", "BADTRUNC", "BADCOOKIE"][usize::from(code - 17)].into(),
            code => format!("status {code}"),
        }
    }
}

/// A run of bytes and what it means, for the annotated hex view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    /// The part of the message: "Header", "Question", "Answer 1", "Authority 2", ...
    pub part: String,
    /// The field and its decoded value, e.g. "TTL: 300 seconds".
    pub label: String,
}

struct Writer {
    out: Vec<u8>,
    spans: Vec<Span>,
    /// Suffixes already written, with their offsets, for compression.
    seen: Vec<(Vec<String>, u16)>,
    compress: bool,
}

impl Writer {
    fn u16(&mut self, v: u16) {
        self.out.extend_from_slice(&v.to_be_bytes());
    }

    fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_be_bytes());
    }

    fn span(&mut self, start: usize, part: &str, label: String) {
        self.spans.push(Span { start, end: self.out.len(), part: part.to_string(), label });
    }

    /// Writes a name, ending in a pointer to an earlier copy of its longest known suffix.
    /// Returns how it was written, for the span's label.
    fn name(&mut self, name: &Name) -> String {
        let labels = name.labels();
        for i in 0..labels.len() {
            let suffix = &labels[i..];
            if self.compress {
                if let Some((_, at)) = self.seen.iter().find(|(s, _)| s[..] == suffix[..]) {
                    let at = *at;
                    self.u16(0xC000 | at);
                    return if i == 0 { format!("pointer to offset {at}") } else { format!("{} label{} then a pointer to offset {at}", i, if i == 1 { "" } else { "s" }) };
                }
                if self.out.len() < 0x3FFF {
                    self.seen.push((suffix.to_vec(), self.out.len() as u16));
                }
            }
            self.out.push(labels[i].len() as u8);
            self.out.extend_from_slice(labels[i].as_bytes());
        }
        self.out.push(0);
        format!("{} label{} and the root", labels.len(), if labels.len() == 1 { "" } else { "s" })
    }

    fn record(&mut self, r: &Record, part: &str) {
        let s = self.out.len();
        let how = self.name(&r.name);
        self.span(s, part, format!("Name: {} ({how})", r.name));
        let s = self.out.len();
        self.u16(r.rtype().code());
        self.span(s, part, format!("Type: {} ({})", r.rtype().name(), r.rtype().code()));
        let s = self.out.len();
        match (&r.data, Edns::of(r)) {
            (RData::Opt { udp_size, .. }, Some(e)) => {
                self.u16(*udp_size);
                self.span(s, part, format!("Class field: the largest UDP reply the sender accepts, {udp_size} bytes"));
                let s = self.out.len();
                self.u32(r.ttl);
                self.span(s, part, format!("TTL field: extended status bits {}, EDNS version {}, DO {}", e.extended_rcode, e.version, if e.dnssec_ok { "set (send DNSSEC records)" } else { "clear" }));
            }
            _ => {
                self.u16(1);
                self.span(s, part, "Class: IN (1)".into());
                let s = self.out.len();
                self.u32(r.ttl);
                self.span(s, part, format!("TTL: {} seconds", r.ttl));
            }
        }
        let len_at = self.out.len();
        self.u16(0);
        let data_at = self.out.len();
        match &r.data {
            RData::A(a) => self.out.extend_from_slice(a),
            RData::Aaaa(g) => g.iter().for_each(|x| self.u16(*x)),
            RData::Ns(n) | RData::Cname(n) => {
                self.name(n);
            }
            RData::Mx { preference, exchange } => {
                self.u16(*preference);
                self.name(exchange);
            }
            RData::Txt(parts) => {
                for p in parts {
                    let bytes = &p.as_bytes()[..p.len().min(255)];
                    self.out.push(bytes.len() as u8);
                    self.out.extend_from_slice(bytes);
                }
            }
            RData::Soa { mname, rname, serial, refresh, retry, expire, minimum } => {
                self.name(mname);
                self.name(rname);
                for v in [serial, refresh, retry, expire, minimum] {
                    self.u32(*v);
                }
            }
            RData::Opt { options, .. } => {
                for (code, data) in options {
                    self.u16(*code);
                    self.u16(data.len().min(u16::MAX as usize) as u16);
                    self.out.extend_from_slice(&data[..data.len().min(u16::MAX as usize)]);
                }
            }
        }
        let len = (self.out.len() - data_at) as u16;
        self.out[len_at..len_at + 2].copy_from_slice(&len.to_be_bytes());
        self.spans.push(Span { start: len_at, end: data_at, part: part.to_string(), label: format!("Data length: {len} bytes") });
        self.span(data_at, part, format!("Data: {}", r.data));
    }
}

/// Encodes a message. Responses compress names; queries carry one name and need none.
/// Returns the bytes and a span for each field.
pub fn encode(m: &Message) -> (Vec<u8>, Vec<Span>) {
    let mut w = Writer { out: Vec::with_capacity(512), spans: Vec::new(), seen: Vec::new(), compress: m.header.qr };
    let h = m.header;
    w.u16(h.id);
    w.span(0, "Header", format!("ID: {} (matches a response to its query)", h.id));
    let flags: u16 = (u16::from(h.qr) << 15)
        | (u16::from(h.aa) << 10)
        | (u16::from(h.tc) << 9)
        | (u16::from(h.rd) << 8)
        | (u16::from(h.ra) << 7)
        | (u16::from(h.z) << 6)
        | (u16::from(h.ad) << 5)
        | (u16::from(h.cd) << 4)
        | u16::from(h.rcode.code());
    w.u16(flags);
    let set = |b: bool, n: &str| if b { n.to_string() } else { String::new() };
    let names: Vec<String> = [set(h.qr, "QR"), set(h.aa, "AA"), set(h.tc, "TC"), set(h.rd, "RD"), set(h.ra, "RA"), set(h.z, "Z"), set(h.ad, "AD"), set(h.cd, "CD")].into_iter().filter(|s| !s.is_empty()).collect();
    w.span(2, "Header", format!("Flags: {} {}, status {}", if h.qr { "response" } else { "query" }, if names.is_empty() { "(none set)".to_string() } else { names.join(" ") }, h.rcode.name()));
    let counts = [
        (u16::from(m.question.is_some()), "Questions"),
        (m.answer.len() as u16, "Answers"),
        (m.authority.len() as u16, "Authority records"),
        (m.additional.len() as u16, "Additional records"),
    ];
    for (n, what) in counts {
        let s = w.out.len();
        w.u16(n);
        w.span(s, "Header", format!("{what}: {n}"));
    }
    if let Some((name, rtype)) = &m.question {
        let s = w.out.len();
        let how = w.name(name);
        w.span(s, "Question", format!("Name: {name} ({how})"));
        let s = w.out.len();
        w.u16(rtype.code());
        w.span(s, "Question", format!("Type: {} ({})", rtype.name(), rtype.code()));
        let s = w.out.len();
        w.u16(1);
        w.span(s, "Question", "Class: IN (1)".into());
    }
    for (section, records) in [("Answer", &m.answer), ("Authority", &m.authority), ("Additional", &m.additional)] {
        for (i, r) in records.iter().enumerate() {
            w.record(r, &format!("{section} {}", i + 1));
        }
    }
    (w.out, w.spans)
}

/// Why bytes are not a message this decoder accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError(pub String);

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.b.len()).ok_or_else(|| DecodeError(format!("the message ends early, at byte {}", self.b.len())))?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, DecodeError> {
        let s = self.take(2)?;
        Ok(u16::from_be_bytes([s[0], s[1]]))
    }

    fn u32(&mut self) -> Result<u32, DecodeError> {
        let s = self.take(4)?;
        Ok(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    }

    /// Reads a name, following compression pointers. Pointers must point backwards, which
    /// rules out loops.
    fn name(&mut self) -> Result<Name, DecodeError> {
        let mut labels = Vec::new();
        let mut pos = self.at;
        let mut jumped = false;
        let mut total = 1;
        loop {
            let len = *self.b.get(pos).ok_or_else(|| DecodeError("a name runs past the end of the message".into()))? as usize;
            match len & 0xC0 {
                0x00 if len == 0 => {
                    if !jumped {
                        self.at = pos + 1;
                    }
                    break;
                }
                0x00 => {
                    let label = self.b.get(pos + 1..pos + 1 + len).ok_or_else(|| DecodeError("a label runs past the end of the message".into()))?;
                    let text = std::str::from_utf8(label).map_err(|_| DecodeError("a label is not ASCII".into()))?;
                    total += len + 1;
                    if total > 255 {
                        return Err(DecodeError("a name is longer than 255 bytes".into()));
                    }
                    labels.push(text.to_ascii_lowercase());
                    pos += 1 + len;
                }
                0xC0 => {
                    let low = *self.b.get(pos + 1).ok_or_else(|| DecodeError("a pointer runs past the end of the message".into()))? as usize;
                    let target = ((len & 0x3F) << 8) | low;
                    if target >= pos {
                        return Err(DecodeError(format!("a compression pointer at byte {pos} points forward, to {target}")));
                    }
                    if !jumped {
                        self.at = pos + 2;
                    }
                    jumped = true;
                    pos = target;
                }
                _ => return Err(DecodeError(format!("byte {pos} starts a label with reserved bits set"))),
            }
        }
        Ok(Name { labels })
    }

    fn record(&mut self) -> Result<Record, DecodeError> {
        let name = self.name()?;
        let code = self.u16()?;
        let class = self.u16()?;
        if class != 1 && code != RType::Opt.code() {
            return Err(DecodeError(format!("class {class} is not IN")));
        }
        let ttl = self.u32()?;
        let len = self.u16()? as usize;
        let end = self.at + len;
        if end > self.b.len() {
            return Err(DecodeError("record data runs past the end of the message".into()));
        }
        let rtype = RType::from_code(code).ok_or_else(|| DecodeError(format!("record type {code} is not one this decoder knows")))?;
        let data = match rtype {
            RType::A => {
                let s = self.take(4)?;
                RData::A([s[0], s[1], s[2], s[3]])
            }
            RType::Aaaa => {
                let mut g = [0u16; 8];
                for x in &mut g {
                    *x = self.u16()?;
                }
                RData::Aaaa(g)
            }
            RType::Ns => RData::Ns(self.name()?),
            RType::Cname => RData::Cname(self.name()?),
            RType::Mx => RData::Mx { preference: self.u16()?, exchange: self.name()? },
            RType::Txt => {
                let mut parts = Vec::new();
                while self.at < end {
                    let n = self.u8()? as usize;
                    let s = self.take(n)?;
                    parts.push(String::from_utf8_lossy(s).into_owned());
                }
                RData::Txt(parts)
            }
            RType::Soa => RData::Soa {
                mname: self.name()?,
                rname: self.name()?,
                serial: self.u32()?,
                refresh: self.u32()?,
                retry: self.u32()?,
                expire: self.u32()?,
                minimum: self.u32()?,
            },
            RType::Opt => {
                if !name.labels.is_empty() {
                    return Err(DecodeError(format!("an OPT record must be owned by the root, not {name}")));
                }
                let mut options = Vec::new();
                while self.at < end {
                    let code = self.u16()?;
                    let n = self.u16()? as usize;
                    options.push((code, self.take(n)?.to_vec()));
                }
                RData::Opt { udp_size: class, options }
            }
        };
        if self.at != end {
            return Err(DecodeError(format!("a {} record's data length says {len} bytes but its data used {}", rtype.name(), self.at + len - end)));
        }
        Ok(Record { name, ttl, data })
    }
}

/// Decodes a whole message. Anything malformed, truncated or outside what this simulation
/// speaks is an error with a reason, never a panic.
pub fn decode(bytes: &[u8]) -> Result<Message, DecodeError> {
    let mut r = Reader { b: bytes, at: 0 };
    let id = r.u16()?;
    let flags = r.u16()?;
    let rcode = Rcode::from_code((flags & 0xF) as u8).ok_or_else(|| DecodeError(format!("status code {} is not one this decoder knows", flags & 0xF)))?;
    let header = Header {
        id,
        qr: flags & 0x8000 != 0,
        aa: flags & 0x0400 != 0,
        tc: flags & 0x0200 != 0,
        rd: flags & 0x0100 != 0,
        ra: flags & 0x0080 != 0,
        z: flags & 0x0040 != 0,
        ad: flags & 0x0020 != 0,
        cd: flags & 0x0010 != 0,
        rcode,
    };
    if (flags >> 11) & 0xF != 0 {
        return Err(DecodeError("only standard queries (opcode 0) are understood".into()));
    }
    let (qd, an, ns, ar) = (r.u16()?, r.u16()?, r.u16()?, r.u16()?);
    if qd > 1 {
        return Err(DecodeError(format!("{qd} questions in one message; DNS in practice uses one")));
    }
    let question = if qd == 1 {
        let name = r.name()?;
        let code = r.u16()?;
        let rtype = RType::from_code(code).ok_or_else(|| DecodeError(format!("question type {code} is not one this decoder knows")))?;
        if r.u16()? != 1 {
            return Err(DecodeError("the question's class is not IN".into()));
        }
        Some((name, rtype))
    } else {
        None
    };
    let mut section = |n: u16| -> Result<Vec<Record>, DecodeError> { (0..n).map(|_| r.record()).collect() };
    let answer = section(an)?;
    let authority = section(ns)?;
    let additional = section(ar)?;
    // RFC 6891 §6.1.1: at most one OPT, and only in the additional section.
    if answer.iter().chain(&authority).any(|r| r.rtype() == RType::Opt) {
        return Err(DecodeError("an OPT record outside the additional section".into()));
    }
    if additional.iter().filter(|r| r.rtype() == RType::Opt).count() > 1 {
        return Err(DecodeError("more than one OPT record".into()));
    }
    if r.at != bytes.len() {
        return Err(DecodeError(format!("{} bytes left over after the last record", bytes.len() - r.at)));
    }
    Ok(Message { header, question, answer, authority, additional })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn name_rules_each_have_a_message() {
        assert!(Name::parse("").unwrap_err().contains("Type a name"));
        assert!(Name::parse("a..b").unwrap_err().contains("empty label"));
        assert!(Name::parse(".a").unwrap_err().contains("empty label"));
        assert!(Name::parse(&format!("{}.com", "a".repeat(64))).unwrap_err().contains("at most 63"));
        assert!(Name::parse(&vec!["abcdefghi"; 30].join(".")).unwrap_err().contains("at most 253"));
        assert!(Name::parse("exa mple.com").unwrap_err().contains("U+0020"));
        assert!(Name::parse("<script>.com").unwrap_err().contains("“<”"));
        assert!(Name::parse("bad-.com").unwrap_err().contains("hyphen"));
        assert!(Name::parse("-bad.com").unwrap_err().contains("hyphen"));
        assert!(Name::parse("bücher.de").unwrap_err().contains("punycode"));
        assert_eq!(Name::parse("WWW.Example.COM.").unwrap().to_string(), "www.example.com.");
        assert_eq!(Name::parse(&format!("{}.com", "a".repeat(63))).unwrap().labels()[0].len(), 63);
        assert!(Name::parse("_dmarc.example.com").is_ok());
        assert!(Name::of("a.b.example.com").is_within(&Name::of("example.com")));
        assert!(!Name::of("badexample.com").is_within(&Name::of("example.com")));
    }

    #[test]
    fn ipv6_text_follows_rfc_5952() {
        assert_eq!(ipv6_text(&[0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]), "2001:db8::1");
        assert_eq!(ipv6_text(&[0x2001, 0xdb8, 0, 1, 0, 0, 0, 1]), "2001:db8:0:1::1");
        assert_eq!(ipv6_text(&[1, 2, 3, 4, 5, 6, 7, 8]), "1:2:3:4:5:6:7:8");
        assert_eq!(ipv6_text(&[0; 8]), "::");
    }

    #[test]
    fn a_response_compresses_repeated_names() {
        let name = Name::of("www.example.com");
        let mut m = Message::query(7, &name, RType::A, true);
        m.header.qr = true;
        m.answer.push(Record::new("www.example.com", 300, RData::Cname(Name::of("example.com"))));
        m.answer.push(Record::new("example.com", 300, RData::A([192, 0, 2, 1])));
        let (bytes, spans) = encode(&m);
        // The answer's owner name is a pointer back to the question's name at offset 12.
        let owner = spans.iter().find(|s| s.part == "Answer 1" && s.label.starts_with("Name")).unwrap();
        assert_eq!(&bytes[owner.start..owner.end], &[0xC0, 12]);
        assert!(owner.label.contains("pointer to offset 12"));
        assert_eq!(decode(&bytes).unwrap(), m);
        // Every byte belongs to exactly one span, in order.
        let mut at = 0;
        for s in &spans {
            assert_eq!(s.start, at, "{s:?}");
            assert!(s.end > s.start);
            at = s.end;
        }
        assert_eq!(at, bytes.len());
    }

    #[test]
    fn malformed_bytes_are_errors_not_panics() {
        assert!(decode(&[]).is_err());
        assert!(decode(&[0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1]).unwrap_err().0.contains("points forward"));
        assert!(decode(&[0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 5, b'a']).is_err());
    }

    fn label() -> impl Strategy<Value = String> {
        "[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?"
    }

    fn name() -> impl Strategy<Value = Name> {
        proptest::collection::vec(label(), 0..5).prop_map(|l| Name { labels: l })
    }

    pub(crate) fn rdata() -> impl Strategy<Value = RData> {
        prop_oneof![
            any::<[u8; 4]>().prop_map(RData::A),
            any::<[u16; 8]>().prop_map(RData::Aaaa),
            name().prop_map(RData::Ns),
            name().prop_map(RData::Cname),
            (any::<u16>(), name()).prop_map(|(preference, exchange)| RData::Mx { preference, exchange }),
            proptest::collection::vec("[ -~]{0,40}", 1..3).prop_map(RData::Txt),
            (name(), name(), any::<[u32; 5]>()).prop_map(|(mname, rname, v)| RData::Soa { mname, rname, serial: v[0], refresh: v[1], retry: v[2], expire: v[3], minimum: v[4] }),
        ]
    }

    pub(crate) fn message() -> impl Strategy<Value = Message> {
        let records = || proptest::collection::vec((name(), any::<u32>(), rdata()).prop_map(|(name, ttl, data)| Record { name, ttl, data }), 0..4);
        let opt = proptest::option::of((any::<u16>(), any::<u32>(), proptest::collection::vec((any::<u16>(), proptest::collection::vec(any::<u8>(), 0..6)), 0..3)));
        (any::<u16>(), any::<[bool; 8]>(), 0u8..6, proptest::option::of((name(), 0usize..6)), records(), records(), records(), opt).prop_map(
            |(id, f, rc, q, answer, authority, mut additional, opt)| {
                if let Some((udp_size, ttl, options)) = opt {
                    additional.push(Record { name: Name { labels: Vec::new() }, ttl, data: RData::Opt { udp_size, options } });
                }
                Message {
                    header: Header { id, qr: f[0], aa: f[1], tc: f[2], rd: f[3], ra: f[4], z: f[5], ad: f[6], cd: f[7], rcode: Rcode::from_code(rc).unwrap() },
                    question: q.map(|(n, t)| (n, RType::ASKABLE[t])),
                    answer,
                    authority,
                    additional,
                }
            },
        )
    }

    /// RFC 4035's AD and CD bits, and the reserved Z bit, come back out as they went in: a
    /// validating stub's query (CD) and a validated answer (AD) keep their meaning.
    #[test]
    fn every_header_bit_survives_decoding_and_encoding_again() {
        let q = Message::query(0x1234, &Name::of("example.com"), RType::A, true);
        let (mut bytes, _) = encode(&q);
        for bits in [0x10u8, 0x20, 0x40, 0x70] {
            bytes[3] = (bytes[3] & 0x8F) | bits;
            let again = encode(&decode(&bytes).unwrap()).0;
            assert_eq!(again, bytes, "flag bits {bits:#04x}");
        }
    }

    /// A query as dig sends it (RFC 6891): an OPT record in the additional section, owned by
    /// the root, its class the UDP size (1232) and its TTL field zero but for the DO flag,
    /// with one option (a DNS COOKIE, code 10, 8 bytes, RFC 7873).
    #[test]
    fn a_query_with_edns_decodes_shows_and_encodes_back() {
        let mut bytes = vec![0xab, 0xcd, 0x01, 0x20, 0, 1, 0, 0, 0, 0, 0, 1];
        bytes.extend([7, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 3, b'c', b'o', b'm', 0, 0, 1, 0, 1]);
        bytes.extend([0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 12, 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8]);
        let m = decode(&bytes).expect("an EDNS query decodes");
        assert!(m.header.ad, "dig sets AD in queries");
        assert_eq!(m.edns(), Some(Edns { udp_size: 1232, extended_rcode: 0, version: 0, dnssec_ok: true }));
        assert_eq!(m.additional[0].data, RData::Opt { udp_size: 1232, options: vec![(10, vec![1, 2, 3, 4, 5, 6, 7, 8])] });
        assert_eq!(m.additional[0].to_string(), "; EDNS: version: 0, flags: do; udp: 1232");
        let (again, spans) = encode(&m);
        assert_eq!(again, bytes);
        assert!(spans.iter().any(|s| s.label.contains("largest UDP reply the sender accepts, 1232 bytes")));
        assert!(spans.iter().any(|s| s.label.contains("EDNS version 0, DO set")));
    }

    /// The OPT record's eight extended status bits sit above the header's four: 16 is
    /// BADVERS, a server's answer to an EDNS version it does not speak (RFC 6891 §6.1.3).
    #[test]
    fn an_extended_status_combines_both_parts() {
        let mut m = Message::query(1, &Name::of("example.com"), RType::A, true).with_edns(Edns { extended_rcode: 1, ..Edns::STUB });
        m.header.qr = true;
        let back = decode(&encode(&m).0).unwrap();
        assert_eq!((back.full_rcode(), back.status_name()), (16, "BADVERS".to_string()));
        assert_eq!(Message::query(1, &Name::of("example.com"), RType::A, true).status_name(), "NOERROR");
    }

    #[test]
    fn misplaced_or_repeated_opt_records_are_refused() {
        let q = || Message::query(1, &Name::of("example.com"), RType::A, true);
        let mut twice = q().with_edns(Edns::STUB);
        twice.additional.push(Edns::STUB.record());
        assert!(decode(&encode(&twice).0).unwrap_err().0.contains("more than one OPT"));
        let mut in_answer = q();
        in_answer.answer.push(Edns::STUB.record());
        assert!(decode(&encode(&in_answer).0).unwrap_err().0.contains("outside the additional section"));
        let mut named = q();
        named.additional.push(Record { name: Name::of("example.com"), ..Edns::STUB.record() });
        assert!(decode(&encode(&named).0).unwrap_err().0.contains("owned by the root"));
    }

    proptest! {
        #[test]
        fn every_message_survives_a_round_trip(m in message()) {
            let (bytes, _) = encode(&m);
            prop_assert_eq!(decode(&bytes).unwrap(), m);
        }

        #[test]
        fn decoding_garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = decode(&bytes);
        }

        #[test]
        fn valid_names_parse_back_to_themselves(n in name()) {
            let text = n.to_string();
            prop_assert_eq!(Name::parse(&text).unwrap(), n);
        }

        #[test]
        fn parsing_any_text_never_panics_and_accepts_only_valid_names(s in "\\PC{0,80}") {
            if let Ok(n) = Name::parse(&s) {
                prop_assert!(n.labels().iter().all(|l| !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-')));
                prop_assert!(n.to_string().len() <= 254);
            }
        }
    }
}
