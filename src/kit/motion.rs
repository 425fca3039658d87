//! Motion between two steps, as data. A widget marks what the reader should be able to follow
//! (a key, a page, a table row, a sample key's chip) with `data-key`; before a step the
//! browser half (`ui::motion`) reads where each keyed thing is drawn and what it says, after
//! the step it reads them again, and [`diff`] says what to animate: things that moved slide
//! from their old place to the new one, new things fade in, and things whose content changed
//! in place flash. Stepping back is the same diff the other way round, so it plays the
//! reverse. Pure and tested natively; the timing tokens live here too.

/// One keyed thing as drawn: its key, its box on screen (CSS px) and its text.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub key: String,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub text: String,
}

/// What to animate for one key.
#[derive(Clone, Debug, PartialEq)]
pub enum Motion {
    /// Drawn (dx, dy) CSS px away from where it was: it starts there and slides home.
    Move { key: String, dx: f64, dy: f64 },
    /// Not there before: it fades in.
    Enter { key: String },
    /// In the same place with new content: it flashes.
    Change { key: String },
}

/// How long one step's motion takes at 1×: long enough to follow, short enough that
/// stepping quickly never waits for it.
pub const STEP_MS: f64 = 320.0;
/// A frame with more keyed things than this snaps instead of moving: measuring and animating
/// each would cost more than the 50 ms a task may take on a slow phone, and nobody follows
/// hundreds of moving things at once.
pub const MAX_ITEMS: usize = 400;
/// Smaller moves than this (CSS px) are rounding, not motion.
const STILL: f64 = 0.5;

/// The motion for a step played every `interval_ms` (None when the reader steps by hand): the
/// whole step's motion, or 80 % of the interval when playing faster, so one step's motion
/// ends before the next begins.
pub fn duration(interval_ms: Option<u32>) -> f64 {
    match interval_ms {
        Some(ms) => STEP_MS.min(f64::from(ms) * 0.8),
        None => STEP_MS,
    }
}

/// What changed from `before` to `after`, in `after`'s order. A key that appears twice on
/// either side is left out (it cannot be followed), and so is everything when either side
/// is over [`MAX_ITEMS`].
pub fn diff(before: &[Item], after: &[Item]) -> Vec<Motion> {
    if before.len() > MAX_ITEMS || after.len() > MAX_ITEMS {
        return Vec::new();
    }
    let once = |items: &[Item], key: &str| items.iter().filter(|i| i.key == key).count() == 1;
    let mut out = Vec::new();
    for a in after {
        if !once(after, &a.key) {
            continue;
        }
        match before.iter().find(|b| b.key == a.key) {
            None => out.push(Motion::Enter { key: a.key.clone() }),
            Some(_) if !once(before, &a.key) => {}
            Some(b) => {
                // Compare centres, so a box that only grew in place does not slide.
                let dx = (b.x + b.w / 2.0) - (a.x + a.w / 2.0);
                let dy = (b.y + b.h / 2.0) - (a.y + a.h / 2.0);
                if dx.abs() > STILL || dy.abs() > STILL {
                    out.push(Motion::Move { key: a.key.clone(), dx, dy });
                } else if b.text != a.text {
                    out.push(Motion::Change { key: a.key.clone() });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(key: &str, x: f64, y: f64, text: &str) -> Item {
        Item { key: key.into(), x, y, w: 20.0, h: 10.0, text: text.into() }
    }

    #[test]
    fn a_key_that_moves_slides_from_its_old_place() {
        let before = [item("k5", 100.0, 40.0, "5"), item("k7", 120.0, 40.0, "7")];
        let after = [item("k5", 100.0, 40.0, "5"), item("k7", 180.0, 90.0, "7")];
        assert_eq!(diff(&before, &after), vec![Motion::Move { key: "k7".into(), dx: -60.0, dy: -50.0 }]);
    }

    #[test]
    fn stepping_back_plays_the_same_motion_reversed() {
        let a = [item("k1", 0.0, 0.0, "1"), item("k2", 30.0, 0.0, "2")];
        let b = [item("k1", 0.0, 50.0, "1"), item("k2", 30.0, 0.0, "2"), item("k3", 60.0, 0.0, "3")];
        let forward = diff(&a, &b);
        let back = diff(&b, &a);
        assert_eq!(forward, vec![Motion::Move { key: "k1".into(), dx: 0.0, dy: -50.0 }, Motion::Enter { key: "k3".into() }]);
        assert_eq!(back, vec![Motion::Move { key: "k1".into(), dx: 0.0, dy: 50.0 }]);
    }

    #[test]
    fn new_content_in_place_flashes_and_nothing_else_moves() {
        let before = [item("row-a", 0.0, 0.0, "100"), item("row-b", 0.0, 20.0, "50")];
        let after = [item("row-a", 0.0, 0.0, "70"), item("row-b", 0.0, 20.0, "50")];
        assert_eq!(diff(&before, &after), vec![Motion::Change { key: "row-a".into() }]);
        // A box that grows in place (its centre moving less than half a pixel) is not a move.
        let grown = [Item { w: 20.8, ..item("row-a", 0.0, 0.0, "100") }, item("row-b", 0.0, 20.0, "50")];
        assert_eq!(diff(&before, &grown), vec![]);
    }

    #[test]
    fn duplicate_keys_and_crowded_frames_snap() {
        let before = [item("k", 0.0, 0.0, "1"), item("k", 10.0, 0.0, "1")];
        let after = [item("k", 50.0, 0.0, "1")];
        assert_eq!(diff(&before, &after), vec![]);
        let many: Vec<Item> = (0..=MAX_ITEMS).map(|i| item(&format!("k{i}"), i as f64, 0.0, "")).collect();
        let moved: Vec<Item> = many.iter().map(|i| Item { y: 30.0, ..i.clone() }).collect();
        assert_eq!(diff(&many, &moved), vec![]);
        assert_eq!(diff(&many[..MAX_ITEMS], &moved[..MAX_ITEMS]).len(), MAX_ITEMS);
    }

    #[test]
    fn playing_fast_shortens_the_motion_to_fit_the_step() {
        assert_eq!(duration(None), STEP_MS);
        assert_eq!(duration(Some(800)), STEP_MS);
        assert_eq!(duration(Some(200)), 160.0);
        assert!((250.0..=400.0).contains(&STEP_MS));
    }
}
