//! Retries and backoff: a discrete-event simulation of many clients (`sim::retry`), one
//! strategy or two side by side on the same seed.

use crate::kit::catalog::{ParamValue, WidgetSpec, RETRY_BACKOFF};
use crate::kit::chart;
use crate::kit::scene::{Anchor, Scene, Shape, Tone};
use crate::kit::url_state::{Notice, WidgetState};
use crate::kit::widget::{Reserve, Widget};
use crate::sim::retry::{self, Config, Replay, Sim, Strategy, Workload};

pub struct RetryBackoff;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    pub config: Config,
    /// The strategy run alongside on the same clients, if any.
    pub compare: Option<Strategy>,
}

impl Input {
    /// The configurations to run: the chosen strategy, then the one to compare with.
    pub fn configs(&self) -> Vec<Config> {
        let mut c = vec![self.config.clone()];
        if let Some(other) = self.compare {
            c.push(Config { strategy: other, ..self.config.clone() });
        }
        c
    }
}

/// One setting's value in `config`, as the catalog spells it.
pub fn setting(cfg: &Config, compare: Option<Strategy>, key: &str) -> String {
    match key {
        "workload" => cfg.workload.name().to_string(),
        "strategy" => cfg.strategy.name().to_string(),
        "compare" => compare.map_or("off", |s| s.name()).to_string(),
        "retryafter" => cfg.honor_retry_after.to_string(),
        "breaker" => cfg.breaker.to_string(),
        "seed" => cfg.seed.to_string(),
        key => cfg.get(key).unwrap_or(0).to_string(),
    }
}

/// The settings a reader lands on when switching to workload `w`: the API's opening scenario,
/// or AWS's backoff study on one row (40 clients at once, base 10 ms, which is its 5 ms under
/// our numbering, cap 2 s, 10 ms messages, no limit on attempts). Strategy and seed stay.
pub fn switch_workload(cfg: &Config, w: Workload) -> Config {
    let fresh = match w {
        Workload::Api => Config::default(),
        Workload::Row => Config { workload: Workload::Row, clients: 40, spread_ms: 0, base_ms: 10, cap_ms: 2_000, max_attempts: 0, net_ms: 10, ..Config::default() },
    };
    Config { strategy: cfg.strategy, seed: cfg.seed, ..fresh }
}

impl Widget for RetryBackoff {
    const SPEC: &'static WidgetSpec = &RETRY_BACKOFF;
    const RESERVE: &'static [Reserve] = &[Reserve { variant: None, wide: 1562, narrow: 1895 }];
    type Input = Input;
    type Machine = Replay;

    fn input(state: &WidgetState, notices: &mut Vec<Notice>) -> Input {
        let mut cfg = Config::default();
        for (key, value) in &state.values {
            match value {
                ParamValue::Int(n) => {
                    cfg.set(key, *n);
                }
                ParamValue::Flag(b) => {
                    cfg.set(key, i64::from(*b));
                }
                _ => {}
            }
        }
        cfg.strategy = state.text("strategy").and_then(Strategy::from_name).unwrap_or(cfg.strategy);
        cfg.workload = state.text("workload").and_then(Workload::from_name).unwrap_or(cfg.workload);
        cfg.seed = state.int("seed").unwrap_or(1) as u64;
        if let Err(why) = cfg.validate() {
            notices.push(Notice { key: "settings".into(), message: format!("{why} The default scenario is shown instead.") });
            cfg = Config { seed: cfg.seed, ..Config::default() };
        }
        Input { config: cfg, compare: state.text("compare").and_then(Strategy::from_name) }
    }

    fn settings(i: &Input) -> Vec<(&'static str, String)> {
        RETRY_BACKOFF.params.iter().map(|p| p.key).chain(["seed"]).map(|k| (k, setting(&i.config, i.compare, k))).collect()
    }

    fn summary(i: &Input) -> String {
        let c = &i.config;
        let who = match i.compare {
            Some(other) => format!("{} beside {}", c.strategy.label(), other.label()),
            None => c.strategy.label().to_string(),
        };
        let attempts = if c.max_attempts == 0 { "no limit on attempts".to_string() } else { format!("at most {} attempts", c.max_attempts) };
        if c.workload == Workload::Row {
            return format!("{who} · {} clients on one row · {} ms network delay · {attempts}", crate::sim::group(u64::from(c.clients)), c.net_ms);
        }
        format!(
            "{who} · {} clients · capacity {} req/s · outage {}–{} ms · {attempts}",
            crate::sim::group(u64::from(c.clients)),
            crate::sim::group(u64::from(c.capacity)),
            crate::sim::group(u64::from(c.outage_from_ms)),
            crate::sim::group(u64::from(c.outage_to_ms)),
        )
    }

    /// Every run simulated to its end at once; the live view runs them in time slices.
    fn machine(i: &Input) -> Replay {
        let runs = i
            .configs()
            .iter()
            .map(|c| {
                let mut sim = Sim::new(c);
                while !sim.is_done() {
                    sim.run_slice(10_000);
                }
                sim.finish()
            })
            .collect();
        Replay::new(runs)
    }

    /// Calls per time slice for each run, stacked by outcome.
    fn scene(r: &Replay, _: &Input) -> Scene {
        let runs = r.runs().len().max(1);
        let (w, panel) = (640.0, 110.0);
        let h = panel * runs as f64 + 10.0;
        let row = r.runs().first().is_some_and(|run| run.config.workload == Workload::Row);
        let mut s = Scene::new(w, h, if row { "Writes reaching the row over time" } else { "Calls reaching the API over time" });
        for run in 0..r.runs().len() {
            let top = 10.0 + run as f64 * panel;
            let slices = r.slices(run);
            let peak = slices.iter().map(|s| s.calls() + s.short).max().unwrap_or(1).max(1);
            let base = top + panel - 30.0;
            s.line(40.0, base, w - 20.0, base, Tone::Line);
            s.text(40.0, top + 10.0, Tone::Ink, 12, Anchor::Start, format!("{}: calls per slice", r.runs()[run].config.strategy.label()));
            // Slices not reached yet stay empty: the chart fills in as the replay moves.
            let columns: Vec<Vec<u32>> = slices.iter().enumerate().map(|(n, sl)| if n < r.step() { vec![sl.ok, sl.failed, sl.lost, sl.short] } else { Vec::new() }).collect();
            let (cw, ch) = (w - 60.0, panel - 50.0);
            let paths = chart::stacked_bars(&columns, 4, peak, cw as u64, ch as u64);
            for (d, tone) in paths.into_iter().zip([Tone::Ok, Tone::Bad, Tone::Warn, Tone::Muted]) {
                s.push(Shape::Path { x: 40.0, y: base - ch, d, fill: tone });
            }
            let f = r.finished_by_now(run);
            s.text(40.0, base + 16.0, Tone::Muted, 11, Anchor::Start, format!("by {}: {} clients succeeded, {} gave up, {} stopped on a 4xx", retry::fmt_time(r.now_us()), f.succeeded, f.gave_up, f.stopped));
        }
        s.text(w - 20.0, h - 4.0, Tone::Muted, 10, Anchor::End, "green ok · red failed · amber lost · grey refused by the breaker");
        s
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_summary_names_the_strategies_and_the_load() {
        let i = Input { config: Config { clients: 1000, strategy: Strategy::FullJitter, ..Config::default() }, compare: Some(Strategy::Exponential) };
        let line = RetryBackoff::summary(&i);
        assert!(line.starts_with("Full jitter beside Exponential · 1,000 clients · capacity "), "{line}");
        assert!(line.contains(&format!("at most {} attempts", i.config.max_attempts)), "{line}");
        let row = Input { config: Config { workload: Workload::Row, clients: 40, max_attempts: 0, ..Config::default() }, compare: None };
        let switched = switch_workload(&Config { strategy: Strategy::FullJitter, seed: 9, ..Config::default() }, Workload::Row);
        assert!(switched.validate().is_ok() && switched.strategy == Strategy::FullJitter && switched.seed == 9 && switched.max_attempts == 0);
        assert_eq!(switch_workload(&switched, Workload::Api), Config { strategy: Strategy::FullJitter, seed: 9, ..Config::default() });
        assert_eq!(RetryBackoff::summary(&row), "Immediate retry · 40 clients on one row · 10 ms network delay · no limit on attempts");
    }

    use super::*;

    #[test]
    fn the_catalog_describes_this_engine() {
        use crate::kit::catalog::{ParamKind, ParamValue, RETRY_COMPARE, RETRY_STRATEGIES};
        use crate::sim::retry::{MAX_ATTEMPTS, MAX_CLIENTS};
        let names: Vec<_> = Strategy::ALL.iter().map(|s| s.name()).collect();
        assert_eq!(names, RETRY_STRATEGIES);
        assert_eq!(Workload::ALL.iter().map(|w| w.name()).collect::<Vec<_>>(), crate::kit::catalog::RETRY_WORKLOADS);
        assert_eq!(RETRY_COMPARE[1..], names[..]);
        // The catalog's defaults are the engine's default scenario, key by key.
        let mut from_catalog = Config::default();
        from_catalog.clients = 1;
        for p in RETRY_BACKOFF.params {
            match p.default_value() {
                ParamValue::Int(n) => assert!(from_catalog.set(p.key, n), "{} is not an engine setting", p.key),
                ParamValue::Flag(b) => assert!(from_catalog.set(p.key, i64::from(b))),
                _ => {}
            }
            if let ParamKind::Int { max, .. } = p.kind {
                if p.key == "clients" {
                    assert_eq!(max, i64::from(MAX_CLIENTS));
                }
                if p.key == "attempts" {
                    assert_eq!(max, i64::from(MAX_ATTEMPTS));
                }
            }
        }
        assert_eq!(from_catalog, Config::default());
        assert_eq!(RETRY_BACKOFF.param("strategy").unwrap().default, Config::default().strategy.name());
        for key in Config::NUMERIC_KEYS {
            assert!(RETRY_BACKOFF.param(key).is_some(), "{key} is missing from the catalog");
        }
        assert!(!from_catalog.set("clients", -1));
    }
}
