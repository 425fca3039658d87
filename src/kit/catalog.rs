//! The widget catalog: each widget's id, title, kind and settings, plus the one parser that
//! turns a raw setting (from a URL or a content directive) into a typed value.
//!
//! Pure data with no dependencies: the build script includes this file to check widget
//! directives, and the app uses it to read URL state. One definition serves both.

/// What drives a widget, shown in its header so readers know what they are looking at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineKind {
    /// The real algorithm runs on the reader's input (a parser, a B+tree).
    RealEngine,
    /// A model of a system too big to run here (the DNS hierarchy, many clients).
    Simulation,
    /// A replay of something recorded elsewhere.
    RecordedTrace,
}

impl EngineKind {
    pub fn label(self) -> &'static str {
        match self {
            EngineKind::RealEngine => "Real engine",
            EngineKind::Simulation => "Simulation",
            EngineKind::RecordedTrace => "Recorded trace",
        }
    }
}

/// The type and bounds of one setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// A whole number in `min..=max`.
    Int { min: i64, max: i64 },
    /// Free text of at most `max_chars` characters.
    Text { max_chars: usize },
    /// One of a fixed set of names.
    Choice(&'static [&'static str]),
    /// `true` or `false`.
    Flag,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamSpec {
    pub key: &'static str,
    pub kind: ParamKind,
    pub default: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WidgetSpec {
    pub id: &'static str,
    pub title: &'static str,
    pub kind: EngineKind,
    /// Settings specific to this widget; `step` and `seed` are common to all.
    pub params: &'static [ParamSpec],
}

/// A setting after validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamValue {
    Int(i64),
    Text(String),
    Choice(&'static str),
    Flag(bool),
}

/// The step a widget opens at. Every widget has it.
pub const STEP: ParamSpec = ParamSpec { key: "step", kind: ParamKind::Int { min: 0, max: 10_000_000 }, default: "0" };
/// The seed of a widget's engine. Every widget has it.
pub const SEED: ParamSpec = ParamSpec { key: "seed", kind: ParamKind::Int { min: 0, max: 4_294_967_295 }, default: "1" };
const COMMON: [ParamSpec; 2] = [STEP, SEED];

/// The longest JSON document the inspector accepts.
pub const JSON_MAX_CHARS: usize = 20_000;
/// Names of the inspector's sample documents, in menu order.
pub const JSON_PRESETS: &[&str] = &["order", "user", "types", "broken"];

pub const JSON_INSPECTOR: WidgetSpec = WidgetSpec {
    id: "json-inspector",
    title: "JSON inspector",
    kind: EngineKind::RealEngine,
    params: &[
        ParamSpec { key: "preset", kind: ParamKind::Choice(JSON_PRESETS), default: "order" },
        ParamSpec { key: "input", kind: ParamKind::Text { max_chars: JSON_MAX_CHARS }, default: "" },
    ],
};

pub const BTREE_INDEX: WidgetSpec = WidgetSpec {
    id: "btree-index",
    title: "B-tree index",
    kind: EngineKind::RealEngine,
    params: &[
        ParamSpec { key: "order", kind: ParamKind::Int { min: 3, max: 16 }, default: "4" },
        ParamSpec { key: "keytype", kind: ParamKind::Choice(&["int", "text", "pair"]), default: "int" },
        ParamSpec { key: "keys", kind: ParamKind::Text { max_chars: 2_000 }, default: "10,20,30,40,50,60,70" },
        ParamSpec { key: "ops", kind: ParamKind::Text { max_chars: 1_000 }, default: "insert:45;search:60" },
        // A unique index refuses repeated keys; a non-unique one stores each with its row.
        ParamSpec { key: "unique", kind: ParamKind::Flag, default: "true" },
        // Whether this instance carries the "index vs full scan" panel.
        ParamSpec { key: "scan", kind: ParamKind::Flag, default: "true" },
    ],
};

/// Retry strategies by URL name, in menu order (the engine's `Strategy::name`).
pub const RETRY_STRATEGIES: &[&str] = &["none", "immediate", "fixed", "exponential", "full", "equal", "decorrelated"];
/// The same, plus "off" for no second strategy alongside.
pub const RETRY_WORKLOADS: &[&str] = &["api", "row"];
pub const RETRY_COMPARE: &[&str] = &["off", "none", "immediate", "fixed", "exponential", "full", "equal", "decorrelated"];

const fn int(key: &'static str, min: i64, max: i64, default: &'static str) -> ParamSpec {
    ParamSpec { key, kind: ParamKind::Int { min, max }, default }
}

const fn flag(key: &'static str, default: &'static str) -> ParamSpec {
    ParamSpec { key, kind: ParamKind::Flag, default }
}

/// The retry simulation's settings. Times are milliseconds; bounds match `sim::retry`.
pub const RETRY_BACKOFF: WidgetSpec = WidgetSpec {
    id: "retry-backoff",
    title: "Retries and backoff",
    kind: EngineKind::Simulation,
    params: &[
        ParamSpec { key: "workload", kind: ParamKind::Choice(RETRY_WORKLOADS), default: "api" },
        ParamSpec { key: "strategy", kind: ParamKind::Choice(RETRY_STRATEGIES), default: "immediate" },
        ParamSpec { key: "compare", kind: ParamKind::Choice(RETRY_COMPARE), default: "full" },
        int("clients", 1, 10_000, "1000"),
        int("spread", 0, 60_000, "1000"),
        int("capacity", 1, 100_000, "200"),
        int("outagefrom", 0, 600_000, "0"),
        int("outageto", 0, 600_000, "3000"),
        int("errors", 0, 100, "0"),
        int("timeouts", 0, 100, "0"),
        int("bad", 0, 100, "0"),
        int("ratelimit", 0, 100_000, "0"),
        flag("retryafter", "true"),
        flag("breaker", "false"),
        int("base", 1, 60_000, "100"),
        int("cap", 1, 600_000, "5000"),
        int("attempts", 0, 20, "8"),
        int("timeout", 1, 60_000, "1000"),
        int("net", 1, 1_000, "10"),
    ],
};

/// The DNS lookup: a session of operations (`lookup:NAME/TYPE`, `advance:SECONDS`,
/// `clear:browser|os|resolver|all`), replayed from empty caches.
pub const DNS_LOOKUP: WidgetSpec = WidgetSpec {
    id: "dns-lookup",
    title: "DNS lookup",
    kind: EngineKind::Simulation,
    params: &[ParamSpec { key: "ops", kind: ParamKind::Text { max_chars: 4_000 }, default: "lookup:www.example.com/A" }],
};

/// The transactions widget: a crash story or two sessions, names as in `sim::txn::scenarios`.
pub const TXN_STORIES: &[&str] = &["transfer", "transfer-no-tx", "order", "order-no-tx"];
pub const TXN_ANOMALIES: &[&str] = &["dirty-write", "dirty-read", "non-repeatable-read", "phantom", "lost-update", "read-skew", "write-skew", "read-only", "deadlock"];
pub const TRANSACTION_ROLLBACK: WidgetSpec = WidgetSpec {
    id: "transaction-rollback",
    title: "Transactions, crashes and isolation",
    kind: EngineKind::RealEngine,
    params: &[
        ParamSpec { key: "mode", kind: ParamKind::Choice(&["crash", "isolation"]), default: "crash" },
        ParamSpec { key: "story", kind: ParamKind::Choice(TXN_STORIES), default: "transfer" },
        int("amount", 1, 1_000_000, "100"),
        ParamSpec { key: "from", kind: ParamKind::Text { max_chars: 1 }, default: "A" },
        ParamSpec { key: "to", kind: ParamKind::Text { max_chars: 1 }, default: "B" },
        int("qty", 1, 99, "1"),
        // Crash after this many steps; -1 for no crash.
        int("crash", -1, 20, "-1"),
        ParamSpec { key: "anomaly", kind: ParamKind::Choice(TXN_ANOMALIES), default: "lost-update" },
        ParamSpec { key: "level", kind: ParamKind::Choice(&["ru", "rc", "rr", "s"]), default: "rc" },
        // Which session runs each step, as 1s and 2s; empty for the anomaly's own order.
        ParamSpec { key: "order", kind: ParamKind::Text { max_chars: 60 }, default: "" },
    ],
};

/// Sharding: where keys live under four placement schemes, and what a node joining or
/// leaving moves. Names as in `sim::shard`.
pub const SHARD_SCHEMES: &[&str] = &["modulo", "ring", "jump", "rendezvous"];
pub const SHARDING: WidgetSpec = WidgetSpec {
    id: "sharding",
    title: "Sharding: where each key lives",
    kind: EngineKind::RealEngine,
    params: &[
        ParamSpec { key: "scheme", kind: ParamKind::Choice(SHARD_SCHEMES), default: "ring" },
        int("nodes", 1, 32, "9"),
        ParamSpec { key: "change", kind: ParamKind::Choice(&["add", "remove"]), default: "add" },
        // The node that leaves, counted from 1 (node A), when `change` is remove.
        int("leave", 1, 32, "1"),
        int("vnodes", 1, 200, "100"),
        int("keys", 1, 100_000, "10000"),
    ],
};

/// The load balancer's policies, as `sim::lb::Policy::key` spells them, in menu order.
pub const LB_POLICIES: &[&str] = &["round-robin", "weighted", "random", "least-conn", "two-choices", "least-time"];
/// The policy run beside it on the same requests, or none.
pub const LB_COMPARE: &[&str] = &["off", "round-robin", "weighted", "random", "least-conn", "two-choices", "least-time"];

pub const LOAD_BALANCER: WidgetSpec = WidgetSpec {
    id: "load-balancer",
    title: "Load balancing: where each request goes",
    kind: EngineKind::RealEngine,
    params: &[
        ParamSpec { key: "policy", kind: ParamKind::Choice(LB_POLICIES), default: "random" },
        ParamSpec { key: "compare", kind: ParamKind::Choice(LB_COMPARE), default: "two-choices" },
        int("servers", 2, 16, "8"),
        // Arrivals as a percentage of what the servers can serve together.
        int("load", 10, 98, "90"),
        ParamSpec { key: "service", kind: ParamKind::Choice(&["exp", "const", "heavy"]), default: "exp" },
        // A request's mean service time on a normal server, in milliseconds.
        int("ms", 1, 1000, "20"),
        // How many times slower server A is; 1 is none.
        int("slow", 1, 10, "1"),
        // Server B crashes for the middle third of the run.
        flag("fail", "false"),
        int("requests", 1, 100_000, "5000"),
    ],
};

/// Where reads go, in `sim::replication::Reads::ALL`'s order.
pub const REPL_READS: &[&str] = &["any", "sticky", "after-write", "lsn", "primary"];

pub const REPLICATION: WidgetSpec = WidgetSpec {
    id: "replication",
    title: "Replicas: reading your own writes",
    kind: EngineKind::RealEngine,
    params: &[
        ParamSpec { key: "reads", kind: ParamKind::Choice(REPL_READS), default: "any" },
        ParamSpec { key: "commit", kind: ParamKind::Choice(&["async", "sync"]), default: "async" },
        int("replicas", 1, 5, "2"),
        // The mean time from the primary's commit to a replica having the entry, in ms.
        int("lag", 1, 10_000, "200"),
        ParamSpec { key: "shape", kind: ParamKind::Choice(&["varies", "constant"]), default: "varies" },
        // The mean pause between one user's operations, in ms.
        int("think", 1, 10_000, "300"),
        // The primary crashes halfway through, and a replica takes over.
        flag("crash", "false"),
        int("ops", 1, 100_000, "5000"),
    ],
};

/// The HTTP playground's sessions, in `sim::http::PRESETS`'s order.
pub const HTTP_PRESETS: &[&str] = &["read", "create", "lost-update", "cache", "retry", "errors", "framing"];
/// The longest session the playground reads, in characters (`sim::http::MAX_CHARS`).
pub const HTTP_MAX_CHARS: usize = 12_000;

pub const HTTP_PLAYGROUND: WidgetSpec = WidgetSpec {
    id: "http-playground",
    title: "HTTP playground: the shop API in the page",
    kind: EngineKind::RealEngine,
    params: &[
        ParamSpec { key: "preset", kind: ParamKind::Choice(HTTP_PRESETS), default: "read" },
        // The reader's own session, when they have edited it.
        ParamSpec { key: "input", kind: ParamKind::Text { max_chars: HTTP_MAX_CHARS }, default: "" },
    ],
};

/// The browser-rules widget's request paths (the shop API's, in `sim::browser`).
pub const BROWSER_PATHS: &[&str] = &["/api/products", "/api/products/1", "/api/users/2/orders", "/api/orders"];

/// One request through the browser's rules; the defaults are the "simple" scenario.
pub const BROWSER_RULES: WidgetSpec = WidgetSpec {
    id: "browser-rules",
    title: "What the browser allows: CORS and cookies",
    kind: EngineKind::RealEngine,
    params: &[
        // Where the page is: the shop's site, the API's own origin, or an attacker's site.
        ParamSpec { key: "from", kind: ParamKind::Choice(&["www", "api", "evil"]), default: "www" },
        ParamSpec { key: "via", kind: ParamKind::Choice(&["fetch", "form"]), default: "fetch" },
        ParamSpec { key: "method", kind: ParamKind::Choice(&["GET", "POST", "PUT", "DELETE"]), default: "GET" },
        ParamSpec { key: "path", kind: ParamKind::Choice(BROWSER_PATHS), default: "/api/products" },
        ParamSpec { key: "type", kind: ParamKind::Choice(&["none", "json", "form", "text"]), default: "none" },
        // The script adds Authorization: Bearer.
        flag("bearer", "false"),
        ParamSpec { key: "creds", kind: ParamKind::Choice(&["omit", "same-origin", "include"]), default: "same-origin" },
        // The API's CORS policy: which origin it allows, credentials, and headers.
        ParamSpec { key: "allow", kind: ParamKind::Choice(&["none", "www", "any", "reflect"]), default: "www" },
        flag("allowcreds", "true"),
        ParamSpec { key: "headers", kind: ParamKind::Choice(&["content-type", "content-type,authorization", "*"]), default: "content-type,authorization" },
        // The session cookie's attributes.
        ParamSpec { key: "samesite", kind: ParamKind::Choice(&["unset", "lax", "strict", "none"]), default: "lax" },
        flag("httponly", "true"),
        ParamSpec { key: "cpath", kind: ParamKind::Choice(&["/", "/api", "/api/users"]), default: "/" },
        // Max-Age in seconds, or a session cookie.
        ParamSpec { key: "maxage", kind: ParamKind::Choice(&["session", "3600", "2592000"]), default: "session" },
        // How long after signing in the request goes.
        ParamSpec { key: "when", kind: ParamKind::Choice(&["now", "30m", "2h", "reopened"]), default: "now" },
    ],
};

/// Background jobs on a queue; the defaults are `sim::queue::Config::default()`.
pub const JOB_QUEUE: WidgetSpec = WidgetSpec {
    id: "job-queue",
    title: "A job queue: retries, dead letters and charging twice",
    kind: EngineKind::RealEngine,
    params: &[
        // Orders a second, and how many.
        int("rate", 1, 5_000, "30"),
        int("jobs", 1, 100_000, "3000"),
        int("workers", 1, 64, "8"),
        // The mean time a job takes, in ms.
        int("work", 1, 60_000, "200"),
        // Database connections, and how long a worker waits for one (ms).
        int("pool", 1, 64, "10"),
        int("poolwait", 1, 600_000, "1000"),
        int("visibility", 1, 600_000, "30000"),
        // Percent of attempts that fail, of jobs that always fail, of attempts that crash.
        int("fail", 0, 100, "5"),
        int("poison", 0, 100, "0"),
        int("crash", 0, 100, "1"),
        int("attempts", 1, 20, "5"),
        ParamSpec { key: "backoff", kind: ParamKind::Choice(RETRY_STRATEGIES), default: "full" },
        int("base", 1, 600_000, "1000"),
        int("cap", 1, 600_000, "30000"),
        flag("idempotent", "false"),
    ],
};

// Every widget the guide can place in its text, in `registry.rs`'s order: the one list.
macro_rules! registry {
    ($($spec:ident => $($w:ident)::+),* $(,)?) => {
        pub static WIDGETS: &[WidgetSpec] = &[$($spec),*];
    };
}
include!("registry.rs");

/// A whole number the reader typed into a widget's field, or a message naming the field.
pub fn whole_number(raw: &str, what: &str) -> Result<u32, String> {
    raw.trim().parse::<u32>().map_err(|_| format!("{what}: “{}” is not a whole number.", clip(raw.trim())))
}

pub fn find(id: &str) -> Option<&'static WidgetSpec> {
    WIDGETS.iter().find(|w| w.id == id)
}

impl WidgetSpec {
    /// The spec of `key`, whether it is one of this widget's own settings or a common one.
    pub fn param(&self, key: &str) -> Option<&ParamSpec> {
        self.params.iter().chain(COMMON.iter()).find(|p| p.key == key)
    }

    /// Every setting key this widget understands, own settings first.
    pub fn keys(&self) -> Vec<&'static str> {
        self.params.iter().chain(COMMON.iter()).map(|p| p.key).collect()
    }
}

impl ParamSpec {
    /// Checks a raw value and types it. The message says what was wrong in plain words.
    pub fn parse(&self, raw: &str) -> Result<ParamValue, String> {
        match self.kind {
            ParamKind::Int { min, max } => {
                let n: i64 = raw
                    .trim()
                    .parse()
                    .map_err(|_| format!("“{}” should be a whole number from {min} to {max}", clip(raw)))?;
                if n < min || n > max {
                    return Err(format!("{n} is outside the allowed range {min} to {max}"));
                }
                Ok(ParamValue::Int(n))
            }
            ParamKind::Text { max_chars } => {
                let len = raw.chars().count();
                if len > max_chars {
                    return Err(format!("the text is {len} characters long; the limit is {max_chars}"));
                }
                Ok(ParamValue::Text(raw.to_string()))
            }
            ParamKind::Choice(names) => names
                .iter()
                .find(|n| **n == raw)
                .map(|n| ParamValue::Choice(n))
                .ok_or_else(|| format!("“{}” is not one of: {}", clip(raw), names.join(", "))),
            ParamKind::Flag => match raw {
                "true" | "1" => Ok(ParamValue::Flag(true)),
                "false" | "0" => Ok(ParamValue::Flag(false)),
                _ => Err(format!("“{}” should be true or false", clip(raw))),
            },
        }
    }

    /// The default value, typed. Defaults are checked by the catalog's own tests.
    pub fn default_value(&self) -> ParamValue {
        match self.parse(self.default) {
            Ok(v) => v,
            Err(_) => ParamValue::Text(self.default.to_string()),
        }
    }
}

// The catalog needs only `clip`; the engines use the rest.
#[allow(dead_code)]
#[path = "../sim/text.rs"]
mod text;
pub use text::clip;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_parses_and_keys_are_unique() {
        for w in WIDGETS {
            let keys = w.keys();
            for (i, k) in keys.iter().enumerate() {
                assert!(!keys[i + 1..].contains(k), "{}: duplicate key {k}", w.id);
                let spec = w.param(k).unwrap();
                assert!(spec.parse(spec.default).is_ok(), "{}: default of {k} does not parse", w.id);
            }
        }
    }

    #[test]
    fn ids_are_unique_and_url_safe() {
        for (i, w) in WIDGETS.iter().enumerate() {
            assert!(w.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'), "{}", w.id);
            assert!(WIDGETS[i + 1..].iter().all(|o| o.id != w.id));
        }
    }

    #[test]
    fn int_bounds_and_garbage_are_refused_with_a_message() {
        assert_eq!(STEP.parse("12"), Ok(ParamValue::Int(12)));
        assert!(STEP.parse("-1").unwrap_err().contains("outside"));
        assert!(STEP.parse("abc").unwrap_err().contains("whole number"));
        assert!(STEP.parse("99999999999999999999999").is_err());
        let long = "x".repeat(100_000);
        assert!(STEP.parse(&long).unwrap_err().chars().count() < 120, "messages stay short");
    }

    #[test]
    fn text_limit_counts_characters_not_bytes() {
        let spec = ParamSpec { key: "t", kind: ParamKind::Text { max_chars: 3 }, default: "" };
        assert!(spec.parse("ééé").is_ok());
        assert!(spec.parse("éééé").is_err());
    }

    #[test]
    fn choices_and_flags() {
        let p = JSON_INSPECTOR.param("preset").unwrap();
        assert_eq!(p.parse("user"), Ok(ParamValue::Choice("user")));
        assert!(p.parse("<script>").unwrap_err().contains("not one of"));
        let f = ParamSpec { key: "f", kind: ParamKind::Flag, default: "false" };
        assert_eq!(f.parse("1"), Ok(ParamValue::Flag(true)));
        assert!(f.parse("yes").is_err());
    }
}
