//! The browser half of motion between steps (`kit::motion` decides what moves). A widget
//! marks each picture that moves as a stage (`data-motion`) and the things in it to follow
//! with `data-key`. Before a step, [`snapshot`] reads where each keyed thing is drawn within
//! its stage; after it,
//! [`play_after`] waits for the next animation frame (gloo-render), when the new frame is in
//! the page but not yet painted, reads them again and starts each motion with the Web
//! Animations API. Nothing waits for an animation: input stays live, a new step simply starts
//! from wherever things are drawn. With `prefers-reduced-motion` nothing is measured or played.

use gloo_render::{request_animation_frame, AnimationFrame};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::kit::motion::{diff, Item, Motion, MAX_ITEMS};

#[wasm_bindgen]
extern "C" {
    /// An element seen only as something with `animate`, which web-sys gates behind its
    /// unstable APIs.
    type Animatable;
    #[wasm_bindgen(method, js_name = animate)]
    fn animate(this: &Animatable, keyframes: &js_sys::Array, ms: f64) -> JsValue;
}

/// True when the reader has not asked for reduced motion.
pub fn allowed() -> bool {
    !super::browser::media_matches("(prefers-reduced-motion: reduce)")
}

/// Every keyed thing in each stage of `root` (stages do not nest), measured from its stage, so
/// text above it that grows or shrinks between steps (or a drawing scrolled sideways) does
/// not read as motion. Each stage's rect is read once; nothing is written between reads, so
/// the page is laid out at most once.
fn keyed(root: &web_sys::Element) -> Vec<(web_sys::Element, Item)> {
    let Ok(stages) = root.query_selector_all("[data-motion]") else { return Vec::new() };
    let mut out = Vec::new();
    for s in 0..stages.length() {
        let Some(stage) = stages.item(s).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) else { continue };
        let Ok(list) = stage.query_selector_all("[data-key]") else { continue };
        if out.len() + list.length() as usize > MAX_ITEMS {
            return Vec::new();
        }
        let origin = stage.get_bounding_client_rect();
        for i in 0..list.length() {
            let Some(el) = list.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) else { continue };
            let r = el.get_bounding_client_rect();
            let item = Item {
                key: el.get_attribute("data-key").unwrap_or_default(),
                x: r.x() - origin.x(),
                y: r.y() - origin.y(),
                w: r.width(),
                h: r.height(),
                text: el.text_content().unwrap_or_default(),
            };
            out.push((el, item));
        }
    }
    out
}

/// Where each keyed thing in `root` is drawn now.
pub fn snapshot(root: &web_sys::Element) -> Vec<Item> {
    keyed(root).into_iter().map(|(_, i)| i).collect()
}

/// A keyframe of one property.
fn frame(prop: &str, value: &str) -> JsValue {
    let o = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&o, &prop.into(), &value.into());
    o.into()
}

/// CSS px per SVG user unit for an element inside an SVG (a CSS transform on an SVG element
/// moves it in user units), or 1 for HTML. Read from the element's screen matrix: parsing the
/// viewBox would bring the float parser into every bundle.
fn scale(el: &web_sys::Element) -> f64 {
    el.dyn_ref::<web_sys::SvgGraphicsElement>().and_then(|g| g.get_screen_ctm()).map(|m| f64::from(m.a())).filter(|a| *a > 0.0).unwrap_or(1.0)
}

/// Whole CSS px as text: integer formatting only, as formatting a float would bring core's
/// float printer (about 20 KB brotli) into every bundle.
fn px(v: f64) -> String {
    format!("{}px", v.round() as i32)
}

/// After the step's new frame is in the page, plays what changed since `before`. The
/// returned frame request must live until it fires; dropping it cancels the motion.
pub fn play_after(root: web_sys::Element, before: Vec<Item>, ms: f64) -> AnimationFrame {
    request_animation_frame(move |_| {
        let now = keyed(&root);
        let after: Vec<Item> = now.iter().map(|(_, i)| i.clone()).collect();
        for m in diff(&before, &after) {
            let key = match &m {
                Motion::Move { key, .. } | Motion::Enter { key } | Motion::Change { key } => key,
            };
            let Some((el, _)) = now.iter().find(|(_, i)| &i.key == key) else { continue };
            let frames = js_sys::Array::new();
            match m {
                Motion::Move { dx, dy, .. } => {
                    let s = scale(el);
                    frames.push(&frame("transform", &format!("translate({}, {})", px(dx / s), px(dy / s))));
                    frames.push(&frame("transform", "none"));
                }
                Motion::Enter { .. } => {
                    frames.push(&frame("opacity", "0"));
                    frames.push(&frame("opacity", "1"));
                }
                // Text in a picture flashes by fading up; a table cell or row by its background.
                Motion::Change { .. } if el.closest("svg").ok().flatten().is_some() => {
                    frames.push(&frame("opacity", "0.25"));
                    frames.push(&frame("opacity", "1"));
                }
                Motion::Change { .. } => {
                    frames.push(&frame("backgroundColor", "var(--mark)"));
                    frames.push(&frame("backgroundColor", "transparent"));
                }
            }
            let _ = el.unchecked_ref::<Animatable>().animate(&frames, ms);
        }
    })
}
