//! The timeline every widget steps through: forward, back, jump, reset, always landing on the
//! exact state a fresh replay from the start would give.
//!
//! An engine implements [`Machine`]: it can advance one step and narrate the step that made its
//! current state. [`Timeline`] runs the machine to its end once, keeping a snapshot every
//! `checkpoint_every` steps, and reaches any earlier step by cloning the nearest snapshot at or
//! before it and replaying forward. Memory stays bounded for long runs and going back is exact,
//! because the engines are deterministic.

/// A deterministic engine that can be stepped.
pub trait Machine: Clone {
    /// Moves one step on. Returns `false`, leaving the state as it was, when there is no next step.
    fn advance(&mut self) -> bool;
    /// One sentence describing the step that produced the current state.
    fn narrate(&self) -> String;
}

/// A recorded frame that says what happened in it.
pub trait Narrated {
    fn narration(&self) -> &str;
}

/// A [`Machine`] over frames recorded in advance (the B-tree, DNS and transaction engines
/// record a whole run, then the reader steps through it). Clones share the frames.
#[derive(Debug)]
pub struct FrameWalk<F> {
    frames: std::sync::Arc<Vec<F>>,
    at: usize,
}

impl<F> FrameWalk<F> {
    /// Starts at the first frame. `frames` must not be empty.
    pub fn new(frames: Vec<F>) -> Self {
        assert!(!frames.is_empty(), "a walk needs at least one frame");
        FrameWalk { frames: std::sync::Arc::new(frames), at: 0 }
    }

    pub fn frame(&self) -> &F {
        &self.frames[self.at]
    }

    /// Every frame up to and including the current one.
    pub fn so_far(&self) -> &[F] {
        &self.frames[..=self.at]
    }

    pub fn frames(&self) -> &[F] {
        &self.frames
    }
}

impl<F> Clone for FrameWalk<F> {
    fn clone(&self) -> Self {
        FrameWalk { frames: self.frames.clone(), at: self.at }
    }
}

impl<F> PartialEq for FrameWalk<F> {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.frames, &other.frames) && self.at == other.at
    }
}

impl<F: Narrated> Machine for FrameWalk<F> {
    fn advance(&mut self) -> bool {
        if self.at + 1 >= self.frames.len() {
            return false;
        }
        self.at += 1;
        true
    }

    fn narrate(&self) -> String {
        self.frame().narration().to_string()
    }
}

/// Finished runs behind a pointer, equal when they are the same runs (so a view can redraw
/// what depends on the whole runs only when they change, not on every step).
#[derive(Debug)]
pub struct SharedRuns<R>(pub std::sync::Arc<Vec<R>>);

impl<R> Clone for SharedRuns<R> {
    fn clone(&self) -> Self {
        SharedRuns(self.0.clone())
    }
}

impl<R> PartialEq for SharedRuns<R> {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

/// A [`Machine`] over simulations run to their end in advance (load balancing, replication):
/// the runs, one sentence per moment, and the moment shown. Each engine adds what a moment
/// shows (`impl Replay<its Run>`). Clones share the runs.
#[derive(Debug)]
pub struct Replay<R> {
    runs: std::sync::Arc<Vec<R>>,
    narration: std::sync::Arc<Vec<String>>,
    step: usize,
}

impl<R> Replay<R> {
    /// Finished runs and the narration of each moment (at least one).
    pub fn recorded(runs: Vec<R>, mut narration: Vec<String>) -> Self {
        if narration.is_empty() {
            narration.push("Nothing to show.".into());
        }
        Replay { runs: std::sync::Arc::new(runs), narration: std::sync::Arc::new(narration), step: 0 }
    }

    /// Nothing run yet: one moment saying so.
    pub fn pending(message: &str) -> Self {
        Replay::recorded(Vec::new(), vec![message.to_string()])
    }

    pub fn runs(&self) -> &[R] {
        &self.runs
    }

    pub fn shared_runs(&self) -> SharedRuns<R> {
        SharedRuns(self.runs.clone())
    }

    pub fn step(&self) -> usize {
        self.step
    }

    pub fn steps(&self) -> usize {
        self.narration.len()
    }
}

impl<R> Clone for Replay<R> {
    fn clone(&self) -> Self {
        Replay { runs: self.runs.clone(), narration: self.narration.clone(), step: self.step }
    }
}

impl<R> PartialEq for Replay<R> {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.runs, &other.runs) && self.step == other.step
    }
}

impl<R> Machine for Replay<R> {
    fn advance(&mut self) -> bool {
        if self.step + 1 >= self.narration.len() {
            return false;
        }
        self.step += 1;
        true
    }

    fn narrate(&self) -> String {
        self.narration[self.step].clone()
    }
}

/// How a [`Timeline`] stores and bounds its run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimelineConfig {
    /// A snapshot is kept every this many steps (at least 1).
    pub checkpoint_every: usize,
    /// The run is cut here if the machine has not finished, so no engine can loop forever.
    pub max_steps: usize,
}

impl Default for TimelineConfig {
    fn default() -> Self {
        TimelineConfig { checkpoint_every: 32, max_steps: 100_000 }
    }
}

#[derive(Clone, Debug)]
pub struct Timeline<M: Machine> {
    checkpoints: Vec<M>,
    every: usize,
    /// Index of the last state; states are numbered `0..=last`.
    last: usize,
    truncated: bool,
    pos: usize,
    current: M,
}

impl<M: Machine> Timeline<M> {
    /// Runs `initial` to its end (or to `max_steps`), keeping snapshots along the way.
    pub fn new(initial: M, config: TimelineConfig) -> Self {
        let every = config.checkpoint_every.max(1);
        let mut checkpoints = vec![initial.clone()];
        let mut probe = initial.clone();
        let mut last = 0;
        let mut truncated = false;
        loop {
            if last >= config.max_steps {
                truncated = probe.clone().advance();
                break;
            }
            if !probe.advance() {
                break;
            }
            last += 1;
            if last % every == 0 {
                checkpoints.push(probe.clone());
            }
        }
        Timeline { checkpoints, every, last, truncated, pos: 0, current: initial }
    }

    /// The current step number, from 0 (the initial state).
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// The number of the final step.
    pub fn last(&self) -> usize {
        self.last
    }

    /// True when the engine had more steps than `max_steps` allowed.
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    pub fn at_start(&self) -> bool {
        self.pos == 0
    }

    pub fn at_end(&self) -> bool {
        self.pos == self.last
    }

    pub fn current(&self) -> &M {
        &self.current
    }

    pub fn narration(&self) -> String {
        self.current.narrate()
    }

    /// One step on. Returns false at the end.
    pub fn forward(&mut self) -> bool {
        if self.at_end() {
            return false;
        }
        let moved = self.current.advance();
        debug_assert!(moved, "a deterministic machine must replay its own run");
        self.pos += 1;
        true
    }

    /// One step back, to exactly the earlier state. Returns false at the start.
    pub fn back(&mut self) -> bool {
        if self.at_start() {
            return false;
        }
        self.seek(self.pos - 1);
        true
    }

    /// Jumps to step `target`, clamped to the run.
    pub fn seek(&mut self, target: usize) {
        let target = target.min(self.last);
        if target == self.pos {
            return;
        }
        if target > self.pos && target - self.pos < self.every {
            while self.pos < target {
                self.forward();
            }
            return;
        }
        let k = target / self.every;
        self.current = self.checkpoints[k].clone();
        self.pos = k * self.every;
        while self.pos < target {
            self.forward();
        }
    }

    pub fn reset(&mut self) {
        self.seek(0);
    }

    /// The narration of every step, in order: the transcript, the accessible alternative.
    pub fn transcript(&self) -> Vec<String> {
        let mut m = self.checkpoints[0].clone();
        let mut out = Vec::with_capacity(self.last + 1);
        out.push(m.narrate());
        for _ in 0..self.last {
            m.advance();
            out.push(m.narrate());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A test machine whose every state differs: a linear congruential walk that stops after
    /// `len` steps. State equality is exact, so a wrong replay shows.
    #[derive(Clone, Debug, PartialEq)]
    struct Walk {
        n: usize,
        len: usize,
        x: u64,
        trail: Vec<u64>,
    }

    impl Walk {
        fn new(len: usize, seed: u64) -> Self {
            Walk { n: 0, len, x: seed, trail: vec![] }
        }
    }

    impl Machine for Walk {
        fn advance(&mut self) -> bool {
            if self.n == self.len {
                return false;
            }
            self.n += 1;
            self.x = self.x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            self.trail.push(self.x >> 60);
            true
        }
        fn narrate(&self) -> String {
            format!("step {} x={}", self.n, self.x)
        }
    }

    fn replay(len: usize, seed: u64, to: usize) -> Walk {
        let mut w = Walk::new(len, seed);
        for _ in 0..to {
            w.advance();
        }
        w
    }

    #[derive(Clone, Debug)]
    enum Op {
        Forward,
        Back,
        Seek(usize),
        Reset,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => Just(Op::Forward),
            4 => Just(Op::Back),
            1 => (0usize..400).prop_map(Op::Seek),
            1 => Just(Op::Reset),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn any_walk_of_steps_lands_where_a_fresh_replay_does(
            len in 0usize..300, seed: u64, every in 1usize..40,
            ops in proptest::collection::vec(op(), 0..120),
        ) {
            let mut t = Timeline::new(Walk::new(len, seed), TimelineConfig { checkpoint_every: every, max_steps: 10_000 });
            prop_assert_eq!(t.last(), len);
            for o in ops {
                let before = t.pos();
                match o {
                    Op::Forward => { let moved = t.forward(); prop_assert_eq!(moved, before < len); }
                    Op::Back => { let moved = t.back(); prop_assert_eq!(moved, before > 0); }
                    Op::Seek(s) => t.seek(s),
                    Op::Reset => t.reset(),
                }
                prop_assert!(t.pos() <= len);
                prop_assert_eq!(t.current(), &replay(len, seed, t.pos()));
            }
        }
    }

    #[test]
    fn a_machine_that_never_ends_is_cut_and_flagged() {
        let t = Timeline::new(Walk::new(usize::MAX, 7), TimelineConfig { checkpoint_every: 10, max_steps: 50 });
        assert_eq!(t.last(), 50);
        assert!(t.truncated());
        let done = Timeline::new(Walk::new(50, 7), TimelineConfig { checkpoint_every: 10, max_steps: 50 });
        assert!(!done.truncated());
    }

    #[test]
    fn transcript_has_one_line_per_state_and_matches_stepping() {
        let mut t = Timeline::new(Walk::new(25, 3), TimelineConfig { checkpoint_every: 4, max_steps: 100 });
        let lines = t.transcript();
        assert_eq!(lines.len(), 26);
        for line in &lines {
            assert_eq!(&t.narration(), line);
            t.forward();
        }
    }
}
