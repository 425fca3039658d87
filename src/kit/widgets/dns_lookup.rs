//! The DNS lookup: a session of lookups through the browser's, the OS's and a resolver's
//! caches to the root, TLD and authoritative servers, recorded hop by hop (`sim::dns`).

use crate::kit::catalog::{WidgetSpec, DNS_LOOKUP};
use crate::kit::scene::{Anchor, Scene, Shape, Tone};
use crate::kit::url_state::{Notice, WidgetState};
use crate::kit::widget::{Reserve, Widget};
use crate::sim::dns::resolver::{Actor, Hop, HopKind};
use crate::sim::dns::world::{Role, World};
use crate::sim::dns::{self, DnsWalk, Op};

pub struct DnsLookup;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    pub seed: u64,
    pub ops: Vec<Op>,
}

impl Widget for DnsLookup {
    const SPEC: &'static WidgetSpec = &DNS_LOOKUP;
    const RESERVE: &'static [Reserve] = &[Reserve { variant: None, wide: 1015, narrow: 1595 }];
    type Input = Input;
    type Machine = DnsWalk;

    fn input(state: &WidgetState, notices: &mut Vec<Notice>) -> Input {
        let ops = dns::parse_ops(state.text("ops").unwrap_or("")).unwrap_or_else(|e| {
            notices.push(Notice { key: "ops".into(), message: e });
            Vec::new()
        });
        Input { seed: state.int("seed").unwrap_or(1) as u64, ops }
    }

    fn settings(i: &Input) -> Vec<(&'static str, String)> {
        vec![("ops", dns::ops_to_string(&i.ops)), ("seed", i.seed.to_string())]
    }

    fn machine(i: &Input) -> DnsWalk {
        DnsWalk::new(dns::record(i.seed, &i.ops))
    }

    /// The current lookup's last ten hops as a sequence diagram, one column per actor.
    fn scene(w: &DnsWalk, _: &Input) -> Scene {
        const NAMES: [&str; 6] = ["Browser", "OS stub", "Resolver", "Root", "TLD", "Authoritative"];
        let world = World::sample();
        let so_far = w.so_far();
        let col = |n: usize| 60.0 + n as f64 * 110.0;
        let op = so_far.last().and_then(|f| f.op);
        let hops: Vec<&Hop> = so_far.iter().filter(|f| f.op == op && op.is_some()).filter_map(|f| f.hop.as_ref()).collect();
        let shown = &hops[hops.len().saturating_sub(10)..];
        let (wd, h) = (660.0, 50.0 + shown.len().max(1) as f64 * 26.0 + 10.0);
        let mut s = Scene::new(wd, h, "DNS messages between the browser, the resolver and the servers");
        for (n, name) in NAMES.iter().enumerate() {
            s.text(col(n), 20.0, Tone::Ink, 12, Anchor::Middle, *name);
            s.push(Shape::Line { x1: col(n), y1: 28.0, x2: col(n), y2: h - 6.0, tone: Tone::Line, width: None, dashed: true });
        }
        for (n, hop) in shown.iter().enumerate() {
            let y = 48.0 + n as f64 * 26.0;
            let (a, b) = (column(hop.from, &world), column(hop.to, &world));
            let (tone, label) = match &hop.kind {
                HopKind::CacheCheck { hit: true, .. } => (Tone::Ok, "cache hit".to_string()),
                HopKind::CacheCheck { hit: false, .. } => (Tone::Muted, "cache miss".to_string()),
                HopKind::Timeout => (Tone::Bad, "no answer: timeout".to_string()),
                HopKind::Local => (Tone::Ink, "call".to_string()),
                HopKind::Message => (Tone::Accent, format!("{} bytes, {} ms", hop.bytes.len(), hop.took_ms)),
            };
            if a == b {
                s.push(Shape::Circle { x: col(a), y: y - 4.0, r: 5.0, fill: tone });
                s.text(col(a) + 10.0, y, tone, 11, Anchor::Start, label);
            } else {
                let (x1, x2) = (col(a), col(b));
                let dir = if x2 > x1 { -1.0 } else { 1.0 };
                s.push(Shape::Line { x1, y1: y, x2, y2: y, tone, width: Some(1.6), dashed: false });
                s.push(Shape::Arrowhead { x: x2, y, dx: dir * 8.0, fill: tone });
                s.text((x1 + x2) / 2.0, y - 4.0, tone, 11, Anchor::Middle, label);
            }
        }
        if shown.is_empty() {
            s.text(wd / 2.0, 54.0, Tone::Muted, 12, Anchor::Middle, "No messages yet: every cache is empty.");
        }
        s
    }
}

/// The diagram's column for an actor: the three caches, then the servers by role.
fn column(a: Actor, world: &World) -> usize {
    match a {
        Actor::Browser => 0,
        Actor::Os => 1,
        Actor::Resolver => 2,
        Actor::Server(s) => match world.servers.get(s).map(|s| s.role) {
            Some(Role::Root) => 3,
            Some(Role::Tld) => 4,
            _ => 5,
        },
    }
}
