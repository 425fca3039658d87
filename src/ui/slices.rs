//! Long work in the browser without long tasks: a `sim::des::Resumable` run a slice at a
//! time, each slice stopping after about `SLICE_MS`, with the browser free to draw and take
//! input between slices (gloo-timers' zero-delay timeouts). Native code runs the same work
//! with `des::run_to_end`.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;

use super::browser::now_ms;
use crate::sim::des::Resumable;

/// The longest stretch of work before the browser gets its thread back.
pub const SLICE_MS: f64 = 8.0;

struct Job<R: Resumable> {
    work: Option<R>,
    budget: usize,
    wanted: Box<dyn Fn() -> bool>,
    progress: Box<dyn Fn(u64)>,
    done: Option<Box<dyn FnOnce(R::Output)>>,
}

/// Runs `work` in slices of `budget` units (checking the clock between them) while `wanted()`
/// holds (a newer run makes it false), tells `progress` the work done after each slice, and
/// hands the output to `done` in a task of its own.
pub fn run<R: Resumable + 'static>(work: R, budget: usize, wanted: impl Fn() -> bool + 'static, progress: impl Fn(u64) + 'static, done: impl FnOnce(R::Output) + 'static) {
    let job = Rc::new(RefCell::new(Job { work: Some(work), budget: budget.max(1), wanted: Box::new(wanted), progress: Box::new(progress), done: Some(Box::new(done)) }));
    Timeout::new(0, move || slice(job)).forget();
}

fn slice<R: Resumable + 'static>(job: Rc<RefCell<Job<R>>>) {
    let finished = {
        let mut j = job.borrow_mut();
        if !(j.wanted)() {
            return;
        }
        let budget = j.budget;
        let Some(work) = j.work.as_mut() else { return };
        let t0 = now_ms();
        let mut finished = work.is_done();
        while !finished && now_ms() - t0 < SLICE_MS {
            finished = work.run_slice(budget);
        }
        if !finished {
            let so_far = work.done_so_far();
            (j.progress)(so_far);
        }
        finished
    };
    if !finished {
        Timeout::new(0, move || slice(job)).forget();
        return;
    }
    // Finishing (collecting the record) is a task of its own.
    Timeout::new(0, move || {
        let mut j = job.borrow_mut();
        if !(j.wanted)() {
            return;
        }
        if let (Some(work), Some(done)) = (j.work.take(), j.done.take()) {
            drop(j);
            done(work.finish());
        }
    })
    .forget();
}
