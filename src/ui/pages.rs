//! The pages: the landing page, a chapter, and the page for unknown addresses.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::browser;
use crate::book::{self, Chapter, Segment, CHAPTERS, PARTS};

const SITE: &str = "techbasics";

#[component]
pub fn Landing() -> impl IntoView {
    browser::set_title(&format!("{SITE}: how web applications work"));
    let words: u32 = CHAPTERS.iter().map(|c| c.words).sum();
    let minutes: u32 = CHAPTERS.iter().map(|c| c.minutes).sum();
    let first = CHAPTERS.first().map(Chapter::href).unwrap_or_else(|| book::BASE.to_string());
    view! {
        <article class="landing">
            <h1>"How web applications work"</h1>
            <p class="lede">
                "From the moment you type an address to a system serving millions: DNS and HTTP, APIs, databases and their indexes, transactions, retries, caches, CDNs, deployment and scaling. Every diagram that moves is a real engine running in your browser, which you can step forward and back and share at any moment."
            </p>
            <p>
                <a class="button" href=first data-testid="start-reading">"Start reading"</a>
                <span class="meta">{format!(" {} parts · {} chapters · about {} minutes ({} words)", PARTS.len(), CHAPTERS.len(), minutes, words)}</span>
            </p>
            <h2>"What the guide covers"</h2>
            <ol class="part-cards" inner_html=book::PART_CARDS_HTML></ol>
        </article>
    }
}

#[component]
pub fn ChapterPage() -> impl IntoView {
    let params = use_params_map();
    // A cold deep link (`/apis/json#common-mistakes`) arrives before the heading exists, so
    // the browser cannot scroll to it; once the chapter is drawn, do it here.
    Effect::new(move |_| {
        params.track();
        browser::scroll_to_hash();
    });
    move || {
        let (part, slug) = params.with(|p| (p.get("part").unwrap_or_default(), p.get("chapter").unwrap_or_default()));
        match book::chapter(&part, &slug) {
            Some((index, ch)) => chapter_view(index, ch).into_any(),
            None => view! { <NotFound/> }.into_any(),
        }
    }
}

fn chapter_view(index: usize, ch: &'static Chapter) -> impl IntoView {
    browser::set_title(&format!("{} · {SITE}", ch.title));
    let part = ch.part();
    let prev = index.checked_sub(1).and_then(|i| CHAPTERS.get(i));
    let next = CHAPTERS.get(index + 1);
    let sections: Vec<_> = ch.headings.iter().filter(|h| h.level == 2).collect();
    view! {
        <article class="chapter" data-chapter=format!("{}/{}", ch.part, ch.slug)>
            <p class="eyebrow">{part.map(|p| format!("Part {} · {}", p.number, p.title))}</p>
            <h1>{ch.title}</h1>
            <p class="meta">{format!("{} min read · {} words", ch.minutes, ch.words)}</p>
            <p class="summary">{ch.summary}</p>
            {(!sections.is_empty()).then(|| view! {
                <nav class="on-this-page" aria-label="On this page">
                    <h2 class="visually-hidden">"On this page"</h2>
                    <ol>
                        {sections.iter().map(|h| view! { <li><a href=format!("{}#{}", ch.href(), h.id)>{h.text}</a></li> }).collect_view()}
                    </ol>
                </nav>
            })}
            {ch.segments
                .iter()
                .map(|s| match s {
                    Segment::Html(html) => view! { <div class="prose" inner_html=*html></div> }.into_any(),
                    Segment::Widget(w) => crate::widgets::mount(w),
                })
                .collect_view()}
            <nav class="pager" aria-label="Chapters">
                {prev.map(|c| view! {
                    <a class="pager-prev" rel="prev" data-nav="prev" href=c.href()>
                        <span class="pager-dir">"← Previous"</span>
                        <span>{c.title}</span>
                    </a>
                })}
                {next.map(|c| view! {
                    <a class="pager-next" rel="next" data-nav="next" href=c.href()>
                        <span class="pager-dir">"Next →"</span>
                        <span>{c.title}</span>
                    </a>
                })}
            </nav>
        </article>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    browser::set_title(&format!("Page not found · {SITE}"));
    view! {
        <article class="not-found" data-testid="not-found">
            <h1>"Page not found"</h1>
            <p>"There is no page at this address. It may have moved, or the link may have a typo."</p>
            <p><a href=book::BASE>"Go to the start of the guide"</a>" or pick a part from the contents."</p>
        </article>
    }
}
