//! Charts as geometry: time-bucketed stacked bars, per-row marks, density bands, lines and
//! axis ticks, computed as SVG path data in integer units. Pure and tested natively; the live
//! view puts each path in an element with its class, and a storyboard puts it in a scene
//! (`Shape::Path`), so both draw the same picture from the same numbers.

use std::fmt::Write;

/// The left edge of column `i` of `n` across a width `w`.
pub fn x_of(i: usize, n: usize, w: u64) -> u64 {
    i as u64 * w / n.max(1) as u64
}

/// A count scaled to a bar height in `0..=h`, never rounding a non-zero count away.
pub fn bar_height(count: u32, ymax: u32, h: u64) -> u64 {
    if count == 0 {
        0
    } else {
        (u64::from(count) * h / u64::from(ymax.max(1))).clamp(1, h)
    }
}

/// A filled rectangle from `x0` to `x1` whose bottom is at `bottom`, `h` high.
fn rect(d: &mut String, x0: u64, x1: u64, bottom: u64, h: u64) {
    if h > 0 && x1 > x0 {
        let _ = write!(d, "M{x0} {}h{}v{h}h-{}z", bottom - h, x1 - x0, x1 - x0);
    }
}

/// Stacked bars: `columns[i][layer]` counts, bottom layer first, scaled so `ymax` fills the
/// height `h`, across the width `w`. Returns one path per layer. A stack taller than the chart
/// is cut at the top, never drawn outside it.
pub fn stacked_bars(columns: &[Vec<u32>], layers: usize, ymax: u32, w: u64, h: u64) -> Vec<String> {
    let mut paths = vec![String::new(); layers];
    let n = columns.len();
    for (i, col) in columns.iter().enumerate() {
        let (x0, x1) = (x_of(i, n, w), x_of(i + 1, n, w));
        let mut bottom = h;
        for (layer, path) in paths.iter_mut().enumerate() {
            let hgt = bar_height(col.get(layer).copied().unwrap_or(0), ymax, h).min(bottom);
            rect(path, x0, x1, bottom, hgt);
            bottom -= hgt;
        }
    }
    paths
}

/// Marks on rows: each `(at, row, layer)` is a mark `mark_w` wide at time `at` of `span` on row
/// `row` (`row_h` high, with a pixel of gap), in that layer's path.
pub fn row_marks(marks: impl IntoIterator<Item = (u64, u64, usize)>, layers: usize, span: u64, w: u64, row_h: u64, mark_w: u64) -> Vec<String> {
    let mut paths = vec![String::new(); layers];
    for (at, row, layer) in marks {
        let Some(path) = paths.get_mut(layer) else { continue };
        let x = (at.saturating_mul(w) / span.max(1)).min(w.saturating_sub(mark_w));
        let _ = write!(path, "M{x} {}h{mark_w}v{}h-{mark_w}z", row * row_h + 1, row_h.saturating_sub(2));
    }
    paths
}

/// Density bands: `density[band][column]` counts drawn as cells shaded in `levels` steps
/// (level 1 the lightest), one path per level; empty cells are not drawn.
pub fn density_bands(density: &[Vec<u32>], levels: usize, w: u64, row_h: u64) -> Vec<String> {
    let levels = levels.max(1);
    let max = density.iter().flatten().copied().max().unwrap_or(0).max(1);
    let mut paths = vec![String::new(); levels];
    for (b, row) in density.iter().enumerate() {
        let n = row.len();
        for (i, &count) in row.iter().enumerate() {
            if count == 0 {
                continue;
            }
            let level = ((u64::from(count) * levels as u64).div_ceil(u64::from(max)) as usize).clamp(1, levels);
            let (x0, x1) = (x_of(i, n, w), x_of(i + 1, n, w));
            let _ = write!(paths[level - 1], "M{x0} {}h{}v{row_h}h-{}z", b as u64 * row_h, x1 - x0, x1 - x0);
        }
    }
    paths
}

/// A line through `points` (x in `0..=xmax`, y in `0..=ymax`, y up) in a `w`×`h` box.
pub fn line(points: &[(u64, u64)], xmax: u64, ymax: u64, w: u64, h: u64) -> String {
    let mut d = String::new();
    for (i, &(x, y)) in points.iter().enumerate() {
        let px = x.min(xmax) * w / xmax.max(1);
        let py = h - y.min(ymax) * h / ymax.max(1);
        let _ = write!(d, "{}{px} {py}", if i == 0 { "M" } else { "L" });
    }
    d
}

/// `count` evenly spaced ticks from 0 to `max` inclusive, each as (position in `0..=w`, value).
pub fn ticks(max: u64, count: usize, w: u64) -> Vec<(u64, u64)> {
    let count = count.max(2);
    (0..count).map(|i| (i as u64 * w / (count as u64 - 1), max * i as u64 / (count as u64 - 1))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heights_scale_and_never_lose_a_count() {
        assert_eq!(bar_height(0, 10, 100), 0);
        assert_eq!(bar_height(1, 1_000, 100), 1, "a single call still shows");
        assert_eq!(bar_height(5, 10, 100), 50);
        assert_eq!(bar_height(50, 10, 100), 100, "clamped to the chart");
        assert_eq!(bar_height(3, 0, 100), 100, "no division by zero");
    }

    #[test]
    fn stacks_sit_on_each_other_and_stay_inside() {
        let p = stacked_bars(&[vec![2, 1, 0], vec![10, 10, 10]], 3, 4, 200, 100);
        assert_eq!(p[0], "M0 50h100v50h-100zM100 0h100v100h-100z");
        assert_eq!(p[1], "M0 25h100v25h-100z", "the second layer starts where the first ends; the full column leaves no room");
        assert_eq!(p[2], "", "nothing for a zero, nothing above the top");
        assert_eq!(stacked_bars(&[], 2, 1, 10, 10), ["", ""]);
    }

    #[test]
    fn marks_land_on_their_rows_and_inside_the_width() {
        let p = row_marks([(0, 0, 0), (1_000, 2, 1), (500, 1, 9)], 2, 1_000, 600, 8, 3);
        assert_eq!(p[0], "M0 1h3v6h-3z");
        assert_eq!(p[1], "M597 17h3v6h-3z", "the last instant is drawn inside the chart");
    }

    #[test]
    fn bands_shade_by_level() {
        let p = density_bands(&[vec![0, 4], vec![1, 2]], 4, 100, 10);
        assert_eq!(p[3], "M50 0h50v10h-50z", "the busiest cell is the darkest");
        assert_eq!(p[0], "M0 10h50v10h-50z");
        assert_eq!(p[1], "M50 10h50v10h-50z");
        assert_eq!(p[2], "");
    }

    #[test]
    fn lines_and_ticks() {
        assert_eq!(line(&[(0, 0), (5, 10), (20, 5)], 10, 10, 100, 50), "M0 50L50 0L100 25");
        assert_eq!(ticks(3_000, 3, 600), [(0, 0), (300, 1_500), (600, 3_000)]);
    }
}
