//! The guide's content as the build rendered it (see pipeline/ and build.rs): parts,
//! chapters in reading order, and each chapter's HTML segments and widget placements.

pub struct Part {
    pub number: u8,
    pub slug: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
}

pub struct Heading {
    pub level: u8,
    pub id: &'static str,
    pub text: &'static str,
}

pub struct WidgetPlacement {
    pub widget: &'static str,
    pub instance: &'static str,
    pub settings: &'static [(&'static str, &'static str)],
}

pub enum Segment {
    /// Rendered from our own Markdown at build time; never holds reader input.
    Html(&'static str),
    Widget(WidgetPlacement),
}

pub struct Chapter {
    pub part: &'static str,
    pub slug: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    pub words: u32,
    pub minutes: u32,
    pub headings: &'static [Heading],
    pub segments: &'static [Segment],
}

include!(concat!(env!("OUT_DIR"), "/book.rs"));

impl Chapter {
    /// The chapter's path under the site's base, e.g. `/databases/indexes`.
    pub fn href(&self) -> String {
        format!("{BASE}{}/{}", self.part, self.slug)
    }

    pub fn part(&self) -> Option<&'static Part> {
        part(self.part)
    }
}

pub fn part(slug: &str) -> Option<&'static Part> {
    PARTS.iter().find(|p| p.slug == slug)
}

/// The chapter at `part/slug` and its index in reading order.
pub fn chapter(part: &str, slug: &str) -> Option<(usize, &'static Chapter)> {
    CHAPTERS.iter().enumerate().find(|(_, c)| c.part == part && c.slug == slug)
}

/// The widget placed as `instance` in the chapter `part/slug`.
pub fn placement(chapter: &str, instance: &str) -> Option<&'static WidgetPlacement> {
    PLACEMENTS.iter().find(|(c, w)| *c == chapter && w.instance == instance).map(|(_, w)| w)
}

pub fn chapters_of(part: &str) -> impl Iterator<Item = &'static Chapter> + '_ {
    CHAPTERS.iter().filter(move |c| c.part == part)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_has_chapters_and_every_chapter_a_part() {
        assert_eq!(PARTS.len(), 8, "the guide has seven parts, then the reference part");
        assert_eq!(PARTS[7].slug, "reference");
        for p in PARTS {
            assert!(chapters_of(p.slug).count() > 0, "{} is empty", p.slug);
        }
        for c in CHAPTERS {
            assert!(c.part().is_some());
            assert!(!c.summary.is_empty());
            assert!(c.minutes >= 1);
        }
    }

    #[test]
    fn every_placed_widget_is_in_the_catalog() {
        for c in CHAPTERS {
            for s in c.segments {
                if let Segment::Widget(w) = s {
                    let spec = crate::kit::catalog::find(w.widget).expect("catalog entry");
                    for (k, v) in w.settings {
                        assert!(spec.param(k).unwrap().parse(v).is_ok());
                    }
                }
            }
        }
    }
}
