//! What the browser allows: a request from a page to the shop's API, stepped through the
//! cookie rules, a CORS preflight if one is needed, the server's side, and what the page's
//! script may then read (sim::browser). Every setting is a menu, so nothing typed reaches
//! the page.

use leptos::prelude::*;

use crate::kit::catalog::BROWSER_PATHS;
use crate::kit::widget::Widget;
use crate::kit::widgets::browser_rules as kit;
use crate::sim::browser::{self, cookies::SameSite, Allow, Credentials, From, Scenario, Via, When};
use crate::ui::mount::{Live, LiveFrame, View};
use crate::ui::setup::SetUp;

impl View for kit::BrowserRules {
    fn view(live: Live<Self>) -> AnyView {
        view! { <BrowserRules live=live/> }.into_any()
    }
}

fn preset_label(name: &str) -> &'static str {
    match name {
        "simple" => "The shop's page reads the catalogue",
        "hidden" => "An attacker's page asks for Ben's orders",
        "preflight" => "The shop's page places an order (JSON: a preflight)",
        "preflight-refused" => "A header the API does not allow",
        "wildcard" => "Allow-Origin * with credentials",
        "csrf-lax" => "Forged form, SameSite=Lax cookie",
        "csrf-none" => "Forged form, SameSite=None cookie",
        "expired" => "An hour's cookie, two hours later",
        "path" => "A cookie whose Path does not cover the call",
        _ => "Custom",
    }
}

/// A labelled menu bound to one part of the scenario.
#[component]
fn Menu(live: Live<kit::BrowserRules>, label: &'static str, testid: &'static str, options: Vec<(&'static str, &'static str)>, get: fn(&Scenario) -> String, set: fn(&mut Scenario, &str)) -> impl IntoView {
    let input = live.input;
    view! {
        <label class="rules-field">{label}" "
            <select data-testid=testid prop:value=move || input.with(get) on:change=move |e| {
                let v = event_target_value(&e);
                let mut next = input.get_untracked();
                set(&mut next, &v);
                live.apply(next);
            }>
                {options.into_iter().map(|(v, l)| view! { <option value=v>{l}</option> }).collect_view()}
            </select>
        </label>
    }
}

fn setting(s: &Scenario, key: &str) -> String {
    kit::BrowserRules::settings(s).into_iter().find(|(k, _)| *k == key).map(|(_, v)| v).unwrap_or_default()
}

#[component]
fn BrowserRules(live: Live<kit::BrowserRules>) -> impl IntoView {
    let (input, timeline) = (live.input, live.timeline);
    let frame = move || timeline.with(|t| t.current().frame().clone());
    let on_preset = move |e: leptos::ev::Event| {
        let name = event_target_value(&e);
        if browser::PRESETS.contains(&name.as_str()) {
            live.apply(browser::preset(&name));
        }
    };
    let cookie_line = move || input.with(|s| format!("Set-Cookie: {}", s.set_cookie()));

    view! {
        <LiveFrame live=live>
            <div class="rules">
                <label class="rules-field rules-preset">"Scenario "
                    <select data-testid="rules-preset" prop:value=move || input.with(|s| kit::preset_of(s).unwrap_or("custom").to_string()) on:change=on_preset>
                        {browser::PRESETS.iter().map(|p| view! { <option value=*p>{preset_label(p)}</option> }).collect_view()}
                        <option value="custom" disabled=true>"Custom (your settings)"</option>
                    </select>
                </label>
                <SetUp live=live>
                    <fieldset class="rules-group">
                        <legend>"The request"</legend>
                        <Menu live=live label="Page on" testid="rules-from" options=vec![("www", "www.shop.example (the shop)"), ("api", "api.shop.example (the API itself)"), ("evil", "evil.example (an attacker)")] get=|s| s.from.key().to_string() set=|s, v| s.from = From::ALL.into_iter().find(|f| f.key() == v).unwrap_or(s.from)/>
                        <Menu live=live label="Sent by" testid="rules-via" options=vec![("fetch", "fetch() in a script"), ("form", "an HTML form")] get=|s| setting(s, "via") set=|s, v| s.via = if v == "form" { Via::Form } else { Via::Fetch }/>
                        <Menu live=live label="Method" testid="rules-method" options=vec![("GET", "GET"), ("POST", "POST"), ("PUT", "PUT"), ("DELETE", "DELETE")] get=|s| s.method.clone() set=|s, v| s.method = v.to_string()/>
                        <Menu live=live label="Path" testid="rules-path" options=BROWSER_PATHS.iter().map(|p| (*p, *p)).collect() get=|s| s.path.clone() set=|s, v| s.path = v.to_string()/>
                        <Menu live=live label="Content-Type" testid="rules-type" options=vec![("none", "none"), ("json", "application/json"), ("form", "application/x-www-form-urlencoded"), ("text", "text/plain")] get=|s| setting(s, "type") set=|s, v| s.content_type = match v { "json" => Some("application/json".into()), "form" => Some("application/x-www-form-urlencoded".into()), "text" => Some("text/plain".into()), _ => None }/>
                        <Menu live=live label="Authorization" testid="rules-bearer" options=vec![("false", "none"), ("true", "Bearer tok_ben")] get=|s| s.bearer.to_string() set=|s, v| s.bearer = v == "true"/>
                        <Menu live=live label="credentials" testid="rules-creds" options=vec![("omit", "omit"), ("same-origin", "same-origin (default)"), ("include", "include")] get=|s| s.credentials.key().to_string() set=|s, v| s.credentials = match v { "omit" => Credentials::Omit, "include" => Credentials::Include, _ => Credentials::SameOrigin }/>
                    </fieldset>
                    <fieldset class="rules-group">
                        <legend>"The API's CORS policy"</legend>
                        <Menu live=live label="Allow-Origin" testid="rules-allow" options=vec![("none", "no CORS fields"), ("www", "https://www.shop.example"), ("any", "*"), ("reflect", "whatever Origin says")] get=|s| setting(s, "allow") set=|s, v| s.allow = match v { "none" => Allow::None, "any" => Allow::Any, "reflect" => Allow::Reflect, _ => Allow::Www }/>
                        <Menu live=live label="Allow-Credentials" testid="rules-allowcreds" options=vec![("true", "true"), ("false", "absent")] get=|s| s.allow_credentials.to_string() set=|s, v| s.allow_credentials = v == "true"/>
                        <Menu live=live label="Allow-Headers" testid="rules-headers" options=vec![("content-type", "content-type"), ("content-type,authorization", "content-type, authorization"), ("*", "*")] get=|s| s.allow_headers.join(",") set=|s, v| s.allow_headers = v.split(',').map(str::to_string).collect()/>
                    </fieldset>
                    <fieldset class="rules-group">
                        <legend>"Ben's session cookie"</legend>
                        <Menu live=live label="SameSite" testid="rules-samesite" options=vec![("unset", "not set (counts as Lax)"), ("lax", "Lax"), ("strict", "Strict"), ("none", "None")] get=|s| s.same_site.key().to_string() set=|s, v| s.same_site = SameSite::from_key(v).unwrap_or(s.same_site)/>
                        <Menu live=live label="HttpOnly" testid="rules-httponly" options=vec![("true", "yes"), ("false", "no")] get=|s| s.http_only.to_string() set=|s, v| s.http_only = v == "true"/>
                        <Menu live=live label="Path" testid="rules-cpath" options=browser::COOKIE_PATHS.iter().map(|p| (*p, *p)).collect() get=|s| s.cookie_path.clone() set=|s, v| s.cookie_path = v.to_string()/>
                        <Menu live=live label="Lifetime" testid="rules-maxage" options=vec![("session", "until the browser closes"), ("3600", "Max-Age=3600 (an hour)"), ("2592000", "Max-Age=2592000 (30 days)")] get=|s| kit::max_age_key(s.max_age) set=|s, v| s.max_age = browser::MAX_AGES.into_iter().find(|a| kit::max_age_key(*a) == v).unwrap_or(s.max_age)/>
                        <Menu live=live label="Request sent" testid="rules-when" options=vec![("now", "just after signing in"), ("30m", "30 minutes later"), ("2h", "2 hours later"), ("reopened", "next day, browser reopened")] get=|s| s.when.key().to_string() set=|s, v| s.when = When::from_key(v).unwrap_or(s.when)/>
                    </fieldset>
                </SetUp>
                <p class="rules-cookie"><code data-testid="rules-cookie">{cookie_line}</code></p>
                <div class="rules-cols">
                    <section class="rules-col" aria-label="The page">
                        <h3>"The page"</h3>
                        <p class="meta">{move || input.with(|s| s.from.origin())}</p>
                        <p data-testid="rules-script"><strong>"The script sees: "</strong>{move || frame().script.unwrap_or_else(|| "nothing yet".into())}</p>
                    </section>
                    <section class="rules-col" aria-label="On the wire">
                        <h3>"On the wire"</h3>
                        {move || {
                            let f = frame();
                            if f.wire.is_empty() {
                                view! { <p class="meta">"Nothing at this step."</p> }.into_any()
                            } else {
                                view! { <pre data-testid="rules-wire" tabindex="0">{f.wire.join("\n")}</pre> }.into_any()
                            }
                        }}
                    </section>
                    <section class="rules-col" aria-label="The server">
                        <h3>"The server's log"</h3>
                        <ol data-testid="rules-server">
                            {move || {
                                let f = frame();
                                if f.server.is_empty() {
                                    view! { <li class="meta">"Nothing has arrived."</li> }.into_any()
                                } else {
                                    f.server.into_iter().map(|l| view! { <li>{l}</li> }).collect_view().into_any()
                                }
                            }}
                        </ol>
                    </section>
                </div>
            </div>
        </LiveFrame>
    }
}
