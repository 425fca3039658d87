//! Load balancing: requests spread over servers by one policy or two side by side on the same
//! requests (`sim::lb`), each server's queue drawn as a lane.

use crate::kit::catalog::{WidgetSpec, LOAD_BALANCER};
use crate::kit::scene::{Anchor, Scene, Shape, Tone};
use crate::kit::url_state::{Notice, WidgetState};
use crate::kit::widget::{Reserve, Widget};
use crate::sim::des::run_to_end;
use crate::sim::group;
use crate::sim::lb::{self, fmt_ms, server_name, Config, Policy, Replay, Service, Snap, LANE_TOKENS};

pub struct LoadBalancer;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    pub config: Config,
    /// The policy run beside it on the same requests, if any (never the same policy).
    pub compare: Option<Policy>,
}

impl Input {
    /// The simulations to run, the chosen policy first.
    pub fn sims(&self) -> Vec<lb::Sim> {
        lb::sims(&self.config, self.compare)
    }
}

impl Widget for LoadBalancer {
    const SPEC: &'static WidgetSpec = &LOAD_BALANCER;
    const RESERVE: &'static [Reserve] = &[Reserve { variant: None, wide: 2045, narrow: 2605 }];
    type Input = Input;
    type Machine = Replay;

    fn input(state: &WidgetState, notices: &mut Vec<Notice>) -> Input {
        let d = Config::default();
        let int = |k: &str, v: u32| state.int(k).map_or(v, |n| n as u32);
        let config = Config {
            policy: state.text("policy").and_then(Policy::from_key).unwrap_or(d.policy),
            servers: int("servers", d.servers),
            load: int("load", d.load),
            service_ms: int("ms", d.service_ms),
            service: state.text("service").and_then(Service::from_key).unwrap_or(d.service),
            slow: int("slow", d.slow),
            fail: state.flag("fail").unwrap_or(d.fail),
            requests: int("requests", d.requests),
            seed: state.int("seed").unwrap_or(1) as u64,
        };
        let compare = state.text("compare").and_then(Policy::from_key).filter(|&p| p != config.policy);
        match config.validate() {
            Ok(()) => Input { config, compare },
            Err(why) => {
                notices.push(Notice { key: "settings".into(), message: format!("{why} The default servers are shown instead.") });
                Input { config: Config { policy: config.policy, seed: config.seed, ..d }, compare }
            }
        }
    }

    fn settings(i: &Input) -> Vec<(&'static str, String)> {
        let c = &i.config;
        vec![
            ("policy", c.policy.key().to_string()),
            ("compare", i.compare.map_or("off", Policy::key).to_string()),
            ("servers", c.servers.to_string()),
            ("load", c.load.to_string()),
            ("service", c.service.key().to_string()),
            ("ms", c.service_ms.to_string()),
            ("slow", c.slow.to_string()),
            ("fail", c.fail.to_string()),
            ("requests", c.requests.to_string()),
            ("seed", c.seed.to_string()),
        ]
    }

    fn summary(i: &Input) -> String {
        let c = &i.config;
        let who = match i.compare {
            Some(p) => format!("{} beside {}", c.policy.label(), p.label()),
            None => c.policy.label().to_string(),
        };
        let mut line = format!("{who} · {} servers at {} % load · {} ms, {} · {} requests", c.servers, c.load, c.service_ms, c.service.label(), group(u64::from(c.requests)));
        if c.slow > 1 {
            line.push_str(&format!(" · A {}× slower", c.slow));
        }
        if c.fail {
            line.push_str(" · B crashes");
        }
        line
    }

    /// Every run simulated to its end at once; the live view runs them in time slices.
    fn machine(i: &Input) -> Replay {
        Replay::new(run_to_end(i.sims()))
    }

    /// Each policy's servers as lanes: the request in service, then the queue behind it.
    fn scene(r: &Replay, _: &Input) -> Scene {
        let snaps = r.snaps();
        let lanes = snaps.first().map_or(0, |s| s.lanes.len());
        let (w, row, head) = (640.0, 20.0, 30.0);
        let panel = head + lanes as f64 * row + 24.0;
        let h = panel * snaps.len().max(1) as f64 + 6.0;
        let names: Vec<&str> = r.runs().iter().map(|run| run.config.policy.label()).collect();
        let at = snaps.first().map_or(0, |s| s.at);
        let mut s = Scene::new(w, h, format!("Each server's queue at {} under {}", crate::sim::des::fmt_time(at), names.join(" and ")));
        for (k, (snap, run)) in snaps.iter().zip(r.runs()).enumerate() {
            let top = 6.0 + k as f64 * panel;
            s.text(12.0, top + 16.0, Tone::Ink, 13, Anchor::Start, run.config.policy.label());
            s.text(w - 12.0, top + 16.0, Tone::Muted, 12, Anchor::End, progress_line(snap, &run.config));
            for (i, lane) in snap.lanes.iter().enumerate() {
                let y = top + head + i as f64 * row;
                let arrived_here = matches!(&snap.moment, lb::Moment::Arrival { server, .. } if *server == i);
                if arrived_here {
                    s.push(Shape::Rect { x: 4.0, y: y - 2.0, w: w - 8.0, h: row, fill: Tone::Soft, stroke: Some((Tone::Accent, None)) });
                }
                s.text(14.0, y + 12.0, Tone::Ink, 12, Anchor::Start, server_name(i).to_string());
                let (tag, tone) = lane_tag(lane, &run.config, i);
                if !tag.is_empty() {
                    s.text(30.0, y + 12.0, tone, 11, Anchor::Start, tag);
                }
                for j in 0..lane.tokens.len() {
                    let fill = if j == 0 { Tone::Accent } else { Tone::Soft };
                    s.push(Shape::Rect { x: 96.0 + j as f64 * 22.0, y: y + 1.0, w: 18.0, h: 14.0, fill, stroke: Some((Tone::Accent, None)) });
                }
                if lane.active as usize > LANE_TOKENS {
                    s.text(96.0 + LANE_TOKENS as f64 * 22.0 + 4.0, y + 12.0, Tone::Muted, 12, Anchor::Start, format!("+{}", group(u64::from(lane.active) - LANE_TOKENS as u64)));
                }
            }
            if let lb::Moment::End = snap.moment {
                let pct: Vec<String> = lb::PERCENTILES.iter().filter_map(|&(m, name)| run.percentile(m).map(|v| format!("{name} {}", fmt_ms(v)))).collect();
                s.text(12.0, top + panel - 8.0, Tone::Ink, 12, Anchor::Start, pct.join(" · "));
            }
        }
        s
    }
}

/// Bars in a response-time histogram.
pub const BINS: usize = 40;

/// One run's response times as a histogram: the bars' path (`kit::chart`, `w` by `h`), the
/// tallest bar's count, and each percentile as a mark at its x with its name and value.
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    pub bars: String,
    pub peak: u32,
    pub marks: Vec<(u64, &'static str, String)>,
}

/// Where every run's histogram ends: a little past the slowest p99.9, so the rare slower
/// requests fold into the last bar and the shapes stay comparable across runs.
pub fn histogram_upper(runs: &[lb::Run]) -> u64 {
    runs.iter().filter_map(|r| r.percentile(999)).max().unwrap_or(1).max(1) * 11 / 10
}

pub fn histogram(run: &lb::Run, upper_us: u64, w: u64, h: u64) -> Histogram {
    let counts = run.histogram(upper_us, BINS);
    let peak = counts.iter().copied().max().unwrap_or(0);
    let columns: Vec<Vec<u32>> = counts.iter().map(|&c| vec![c]).collect();
    let bars = crate::kit::chart::stacked_bars(&columns, 1, peak.max(1), w, h).pop().unwrap_or_default();
    let marks = lb::PERCENTILES.iter().filter_map(|&(m, name)| run.percentile(m).map(|v| ((v.saturating_mul(w) / upper_us.max(1)).min(w), name, fmt_ms(v)))).collect();
    Histogram { bars, peak, marks }
}

/// "1,200 of 5,000 arrived · mean 31 ms", for a panel's corner.
pub fn progress_line(snap: &Snap, c: &Config) -> String {
    let mean = snap.mean_us().map_or(String::new(), |m| format!(" · mean so far {}", fmt_ms(m)));
    format!("{} of {} arrived{mean}", group(u64::from(snap.arrived)), group(u64::from(c.requests)))
}

/// Tokens per lane that motion follows up to 8 servers (the one in service and the next
/// few): enough to see a queue advance. Past 8 servers only the one in service is followed.
pub const KEYED: usize = 3;

/// One request token in a lane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The request's number, from 1.
    pub n: u32,
    pub serving: bool,
    /// It arrived at this moment.
    pub new: bool,
    /// Its motion key (`data-key`), if motion follows it.
    pub key: Option<String>,
}

/// One lane as the picture draws it at a moment: everything the view paints, so that a step
/// redraws only the lanes whose drawing changed (with 32 lanes, redrawing all of them made
/// each step a task of 50–60 ms).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LaneDrawing {
    /// `ok`, `slow`, `crashed`, `out` or `rejoining` (`data-state`, styled by the CSS).
    pub state: &'static str,
    pub tag: String,
    /// The lane's text for a screen reader.
    pub said: String,
    /// The request of this moment was placed here.
    pub arrived: bool,
    pub tokens: Vec<Token>,
    /// Requests in the lane past the tokens drawn.
    pub more: u32,
}

/// One run's picture at a moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunDrawing {
    pub policy: Policy,
    pub progress: String,
    pub lanes: Vec<LaneDrawing>,
}

/// What the picture draws of run number `run` (its motion keys start `r{run}-`) at `snap`.
pub fn drawing(run: usize, c: &Config, snap: &Snap) -> RunDrawing {
    let arrived_at = match &snap.moment {
        lb::Moment::Arrival { server, n, .. } => Some((*server, *n)),
        _ => None,
    };
    let keyed = if c.servers > 8 { 1 } else { KEYED };
    let lanes = snap
        .lanes
        .iter()
        .enumerate()
        .map(|(i, lane)| {
            let (tag, _) = lane_tag(lane, c, i);
            let state = match (lane.up, lane.in_rotation) {
                (false, true) => "crashed",
                (false, false) => "out",
                (true, false) => "rejoining",
                _ if c.factor(i) > 1 => "slow",
                _ => "ok",
            };
            let name = server_name(i);
            let paren = if tag.is_empty() { String::new() } else { format!(" ({tag})") };
            let said = format!("Server {name}{paren}: {} request{} in progress", lane.active, if lane.active == 1 { "" } else { "s" });
            let tokens = lane
                .tokens
                .iter()
                .enumerate()
                .map(|(j, &n)| Token { n, serving: j == 0, new: arrived_at.is_some_and(|(_, a)| a == n), key: (j < keyed).then(|| format!("r{run}-{n}")) })
                .collect();
            LaneDrawing { state, tag, said, arrived: arrived_at.is_some_and(|(s, _)| s == i), tokens, more: lane.active.saturating_sub(lane.tokens.len() as u32) }
        })
        .collect();
    RunDrawing { policy: c.policy, progress: progress_line(snap, c), lanes }
}

/// A lane's state in a word, and its tone: crashed (still in rotation: the balancer does
/// not know yet), out (crashed, and taken out by the health checks), rejoining (running
/// again, not yet put back), slow, or nothing.
pub fn lane_tag(lane: &lb::Lane, c: &Config, server: usize) -> (String, Tone) {
    match (lane.up, lane.in_rotation) {
        (false, true) => ("crashed".into(), Tone::Bad),
        (false, false) => ("out".into(), Tone::Warn),
        (true, false) => ("rejoining".into(), Tone::Warn),
        (true, true) if c.factor(server) > 1 => (format!("{}× slow", c.factor(server)), Tone::Warn),
        (true, true) => (String::new(), Tone::Ink),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drawing_marks_the_arrival_and_keys_fewer_tokens_past_eight_servers() {
        let lane = |active: u32, up: bool, in_rotation: bool| lb::Lane { active, tokens: (1..=active.min(LANE_TOKENS as u32)).map(|n| n + 10).collect(), up, in_rotation };
        let snap = |servers: usize| Snap {
            at: 0,
            moment: lb::Moment::Arrival { n: 12, work_us: 1, server: 1, sampled: vec![], refused: vec![] },
            lanes: (0..servers).map(|i| match i { 1 => lane(12, true, true), 2 => lane(0, false, true), 3 => lane(0, false, false), _ => lane(1, true, true) }).collect(),
            arrived: 12,
            answered: 0,
            lost: 0,
            refused: 0,
            sum_us: 0,
        };
        let c = Config { servers: 8, slow: 3, ..Config::default() };
        let d = drawing(1, &c, &snap(8));
        let states: Vec<_> = d.lanes.iter().map(|l| l.state).collect();
        assert_eq!(states[..5], ["slow", "ok", "crashed", "out", "ok"]);
        assert_eq!(d.lanes.iter().filter(|l| l.arrived).count(), 1);
        let b = &d.lanes[1];
        assert!(b.arrived);
        assert_eq!((b.tokens.len(), b.more), (LANE_TOKENS, 12 - LANE_TOKENS as u32));
        assert_eq!(b.tokens.iter().filter(|t| t.new).map(|t| t.n).collect::<Vec<_>>(), [12]);
        assert_eq!(b.tokens.iter().filter_map(|t| t.key.clone()).collect::<Vec<_>>(), ["r1-11", "r1-12", "r1-13"]);
        assert!(b.tokens[0].serving && !b.tokens[1].serving);
        assert_eq!(d.lanes[0].said, "Server A (3× slow): 1 request in progress");
        assert_eq!(d.lanes[2].said, "Server C (crashed): 0 requests in progress");
        let wide = drawing(0, &Config { servers: 16, ..Config::default() }, &snap(16));
        assert_eq!(wide.lanes[1].tokens.iter().filter_map(|t| t.key.clone()).collect::<Vec<_>>(), ["r0-11"]);
    }

    #[test]
    fn the_summary_names_the_policies_and_the_trouble() {
        let i = Input { config: Config::default(), compare: Some(Policy::TwoChoices) };
        assert_eq!(LoadBalancer::summary(&i), "Random beside Power of two choices · 8 servers at 90 % load · 20 ms, exponential · 5,000 requests");
        let i = Input { config: Config { slow: 4, fail: true, policy: Policy::LeastConn, ..Config::default() }, compare: None };
        assert!(LoadBalancer::summary(&i).ends_with("· A 4× slower · B crashes"));
    }

    #[test]
    fn the_catalog_describes_this_engine() {
        use crate::kit::catalog::{ParamKind, LB_COMPARE, LB_POLICIES};
        let keys: Vec<_> = Policy::ALL.iter().map(|p| p.key()).collect();
        assert_eq!(keys, LB_POLICIES);
        assert_eq!(LB_COMPARE[1..], keys[..]);
        let bound = |k: &str| match LOAD_BALANCER.param(k).unwrap().kind {
            ParamKind::Int { min, max } => (min, max),
            _ => panic!("{k} is not a number"),
        };
        assert_eq!(bound("servers"), (2, i64::from(lb::MAX_SERVERS)));
        assert_eq!(bound("load"), (i64::from(lb::MIN_LOAD), i64::from(lb::MAX_LOAD)));
        assert_eq!(bound("ms"), (1, i64::from(lb::MAX_SERVICE_MS)));
        assert_eq!(bound("slow"), (1, i64::from(lb::MAX_SLOW)));
        assert_eq!(bound("requests"), (1, i64::from(lb::MAX_REQUESTS)));
        // The catalog's defaults are the engine's.
        let state = crate::kit::url_state::read(&LOAD_BALANCER, "w", &[], &[]);
        let i = LoadBalancer::input(&state, &mut Vec::new());
        assert_eq!(i.config, Config::default());
        assert_eq!(i.compare, Some(Policy::TwoChoices));
    }

    #[test]
    fn a_policy_beside_itself_is_one_run_and_bad_settings_fall_back() {
        let pairs = |q: &str| crate::kit::url_state::parse_query(q);
        let mut notices = Vec::new();
        let state = crate::kit::url_state::read(&LOAD_BALANCER, "w", &[], &pairs("w.policy=least-conn&w.compare=least-conn"));
        assert_eq!(LoadBalancer::input(&state, &mut notices).compare, None);
        assert!(notices.is_empty());
        let state = crate::kit::url_state::read(&LOAD_BALANCER, "w", &[], &pairs("w.servers=99"));
        assert!(!state.notices.is_empty(), "the catalog refuses 99 servers");
    }

    #[test]
    fn histograms_share_an_axis_and_mark_the_percentiles_in_order() {
        let i = Input { config: Config { requests: 2_000, ..Config::default() }, compare: Some(Policy::TwoChoices) };
        let r = LoadBalancer::machine(&i);
        let upper = histogram_upper(r.runs());
        assert!(upper > r.runs()[0].percentile(999).unwrap(), "random's tail is the longer");
        for run in r.runs() {
            let h = histogram(run, upper, 600, 100);
            assert_eq!(h.marks.len(), 4);
            assert!(h.marks.windows(2).all(|m| m[0].0 <= m[1].0), "{:?}", h.marks);
            assert!(h.marks.iter().all(|m| m.0 <= 600));
            assert_eq!(h.bars.matches('M').count(), run.histogram(upper, BINS).iter().filter(|&&c| c > 0).count());
            assert_eq!(run.histogram(upper, BINS).iter().sum::<u32>(), run.answered());
        }
        // Two choices' p99 sits well left of random's.
        let p99 = |k: usize| histogram(&r.runs()[k], upper, 600, 100).marks[2].0;
        assert!(p99(1) * 2 < p99(0));
    }

    #[test]
    fn the_scene_draws_a_lane_per_server_and_the_percentiles_at_the_end() {
        let i = Input { config: Config { requests: 400, servers: 3, fail: true, ..Config::default() }, compare: Some(Policy::LeastConn) };
        let mut r = LoadBalancer::machine(&i);
        let first = LoadBalancer::scene(&r, &i);
        let texts = |s: &Scene| s.shapes.iter().filter_map(|x| if let Shape::Text { body, .. } = x { Some(body.clone()) } else { None }).collect::<Vec<_>>();
        let t = texts(&first);
        assert_eq!(t.iter().filter(|b| ["A", "B", "C"].contains(&b.as_str())).count(), 6, "three lanes for each of two policies: {t:?}");
        assert!(first.label.starts_with("Each server's queue at ") && first.label.ends_with("under Random and Least connections"));
        use crate::sim::timeline::Machine;
        while r.advance() {}
        let t = texts(&LoadBalancer::scene(&r, &i));
        assert_eq!(t.iter().filter(|b| b.starts_with("p50 ") && b.contains(" · p99.9 ")).count(), 2, "{t:?}");
    }
}
