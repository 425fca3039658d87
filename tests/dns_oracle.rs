//! Every DNS message the engine puts on the simulated wire, decoded by an independent
//! implementation (hickory-proto), must agree with what the engine meant, field by field.

use hickory_proto::op::{Message as HMessage, MessageType, ResponseCode};
use hickory_proto::rr::{RData as HRData, Record as HRecord};
use proptest::prelude::*;
use techbasics::sim::dns::resolver::{Dns, HopKind, Which};
use techbasics::sim::dns::wire::{self, Edns, Message, Name, RData, RType, Record};
use techbasics::sim::dns::world::SAMPLES;

fn same_record(ours: &Record, theirs: &HRecord) {
    assert_eq!(theirs.name().to_string(), ours.name.to_string(), "owner name");
    assert_eq!(u16::from(theirs.record_type()), ours.rtype().code(), "type of {ours}");
    assert_eq!(theirs.ttl(), ours.ttl, "TTL of {ours}");
    match (&ours.data, theirs.data()) {
        (RData::A(a), HRData::A(h)) => assert_eq!(h.0.octets(), *a),
        (RData::Aaaa(g), HRData::AAAA(h)) => assert_eq!(h.0.segments(), *g),
        (RData::Ns(n), HRData::NS(h)) => assert_eq!(h.0.to_string(), n.to_string()),
        (RData::Cname(n), HRData::CNAME(h)) => assert_eq!(h.0.to_string(), n.to_string()),
        (RData::Mx { preference, exchange }, HRData::MX(h)) => {
            assert_eq!(h.preference(), *preference);
            assert_eq!(h.exchange().to_string(), exchange.to_string());
        }
        (RData::Txt(parts), HRData::TXT(h)) => {
            let theirs: Vec<String> = h.txt_data().iter().map(|b| String::from_utf8_lossy(b).into_owned()).collect();
            assert_eq!(&theirs, parts);
        }
        (RData::Soa { mname, rname, serial, refresh, retry, expire, minimum }, HRData::SOA(h)) => {
            assert_eq!(h.mname().to_string(), mname.to_string());
            assert_eq!(h.rname().to_string(), rname.to_string());
            assert_eq!((h.serial(), h.refresh(), h.retry(), h.expire(), h.minimum()), (*serial, *refresh as i32, *retry as i32, *expire as i32, *minimum));
        }
        (ours, theirs) => panic!("record data differs: ours {ours:?}, theirs {theirs:?}"),
    }
}

fn agree(bytes: &[u8], ours: &Message) {
    let theirs = HMessage::from_vec(bytes).unwrap_or_else(|e| panic!("hickory cannot read {ours:?}: {e}"));
    let h = &ours.header;
    assert_eq!(theirs.id(), h.id);
    assert_eq!(theirs.message_type() == MessageType::Response, h.qr);
    assert_eq!(theirs.authoritative(), h.aa);
    assert_eq!(theirs.truncated(), h.tc);
    assert_eq!(theirs.recursion_desired(), h.rd);
    assert_eq!(theirs.recursion_available(), h.ra);
    assert_eq!(theirs.authentic_data(), h.ad);
    assert_eq!(theirs.checking_disabled(), h.cd);
    // Their status merges the OPT record's upper bits, as ours does; compared by meaning.
    assert_eq!(u16::from(theirs.response_code()), ours.full_rcode());
    let meaning = match theirs.response_code() {
        ResponseCode::NoError => "NOERROR".to_string(),
        ResponseCode::FormErr => "FORMERR".to_string(),
        ResponseCode::ServFail => "SERVFAIL".to_string(),
        ResponseCode::NXDomain => "NXDOMAIN".to_string(),
        ResponseCode::NotImp => "NOTIMP".to_string(),
        ResponseCode::Refused => "REFUSED".to_string(),
        // 16 is BADVERS in an OPT record (RFC 6891) and BADSIG in a TSIG one (RFC 8945);
        // hickory names it by the latter. There is no TSIG here.
        ResponseCode::BADVERS | ResponseCode::BADSIG => "BADVERS".to_string(),
        // The other extended codes by IANA's names, which hickory's variants spell.
        other => format!("{other:?}"),
    };
    assert_eq!(meaning, ours.status_name());
    match (ours.edns(), theirs.extensions()) {
        (Some(e), Some(t)) => {
            assert_eq!((t.max_payload(), t.version(), t.flags().dnssec_ok, t.rcode_high()), (e.udp_size.max(512), e.version, e.dnssec_ok, e.extended_rcode), "EDNS of {ours:?}");
        }
        (None, None) => {}
        (e, t) => panic!("EDNS differs: ours {e:?}, theirs {t:?}"),
    }
    match &ours.question {
        Some((n, t)) => {
            assert_eq!(theirs.queries().len(), 1);
            assert_eq!(theirs.queries()[0].name().to_string(), n.to_string());
            assert_eq!(u16::from(theirs.queries()[0].query_type()), t.code());
        }
        None => assert!(theirs.queries().is_empty()),
    }
    // Hickory takes the OPT record out of the additional section into its `Edns`.
    let additional: Vec<Record> = ours.additional.iter().filter(|r| r.rtype() != RType::Opt).cloned().collect();
    for (ours, theirs) in [(&ours.answer, theirs.answers()), (&ours.authority, theirs.name_servers()), (&additional, theirs.additionals())] {
        assert_eq!(ours.len(), theirs.len());
        for (o, t) in ours.iter().zip(theirs) {
            same_record(o, t);
        }
    }
}

#[test]
fn every_message_of_every_sample_lookup_agrees_with_hickory() {
    let mut dns = Dns::new(42);
    let mut checked = 0;
    for round in 0..2 {
        for s in SAMPLES {
            let (_, hops) = dns.lookup(&Name::parse(s.name).unwrap(), s.rtype);
            for hop in hops.iter().filter(|h| h.kind == HopKind::Message) {
                agree(&hop.bytes, hop.message.as_ref().unwrap());
                checked += 1;
            }
        }
        // Second round: caches cleared but the clock moved, so new IDs and aged TTLs.
        dns.advance(3_600 * (round + 1));
        for w in [Which::Browser, Which::Os, Which::Resolver] {
            dns.clear(w);
        }
    }
    assert!(checked > 60, "{checked} messages");
}

#[test]
fn compressed_responses_are_smaller_and_still_agree() {
    let mut dns = Dns::new(1);
    let (_, hops) = dns.lookup(&Name::parse("www.example.org").unwrap(), RType::A);
    let referral = hops.iter().find(|h| h.message.as_ref().is_some_and(|m| m.header.qr && !m.authority.is_empty())).unwrap();
    let m = referral.message.as_ref().unwrap();
    let uncompressed: usize = 12
        + m.question.as_ref().map_or(0, |(n, _)| n.wire_len() + 4)
        + m.authority.iter().chain(&m.additional).map(|r| r.name.wire_len() + 10 + match &r.data {
            RData::Ns(n) => n.wire_len(),
            RData::A(_) => 4,
            _ => 0,
        }).sum::<usize>();
    assert!(referral.bytes.len() < uncompressed, "{} vs {uncompressed}", referral.bytes.len());
    agree(&referral.bytes, m);
}

fn arb_message() -> impl Strategy<Value = Message> {
    let label = "[a-z0-9]([a-z0-9-]{0,12}[a-z0-9])?";
    let name = || proptest::collection::vec(label, 0..4).prop_map(|l| Name::parse(&if l.is_empty() { ".".to_string() } else { l.join(".") }).unwrap());
    let rdata = prop_oneof![
        any::<[u8; 4]>().prop_map(RData::A),
        any::<[u16; 8]>().prop_map(RData::Aaaa),
        name().prop_map(RData::Ns),
        name().prop_map(RData::Cname),
        (any::<u16>(), name()).prop_map(|(preference, exchange)| RData::Mx { preference, exchange }),
        proptest::collection::vec("[a-zA-Z0-9 =;.-]{0,30}", 1..3).prop_map(RData::Txt),
        (name(), name(), any::<u32>(), 0u32..0x7FFF_FFFF, 0u32..0x7FFF_FFFF).prop_map(|(mname, rname, serial, refresh, minimum)| RData::Soa { mname, rname, serial, refresh, retry: refresh / 2, expire: refresh, minimum }),
    ];
    let record = (name(), 0u32..0x7FFF_FFFF, rdata).prop_map(|(name, ttl, data)| Record { name, ttl, data });
    // Every header field varies: each flag, the status, and EDNS with its upper status bits.
    let edns = proptest::option::of((512u16..4097, 0u8..2, any::<bool>()));
    (any::<u16>(), any::<[bool; 7]>(), 0u8..6, edns, name(), 0usize..6, proptest::collection::vec(record, 0..6)).prop_map(|(id, f, rc, edns, qname, t, records)| {
        let mut m = Message::query(id, &qname, RType::ASKABLE[t], f[2]);
        let h = &mut m.header;
        (h.qr, h.aa, h.tc, h.ra, h.ad, h.cd) = (f[0], f[1], f[3], f[4], f[5], f[6]);
        h.rcode = wire::Rcode::from_code(rc).unwrap();
        let third = records.len() / 3;
        m.additional = records[2 * third..].to_vec();
        m.authority = records[third..2 * third].to_vec();
        m.answer = records[..third].to_vec();
        match edns {
            Some((udp_size, extended_rcode, dnssec_ok)) => m.with_edns(Edns { udp_size, extended_rcode, version: 0, dnssec_ok }),
            None => m,
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn random_messages_agree_with_hickory(m in arb_message()) {
        let (bytes, _) = wire::encode(&m);
        agree(&bytes, &m);
        prop_assert_eq!(wire::decode(&bytes).unwrap(), m);
    }
}
