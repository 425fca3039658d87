//! Code highlighting at build time with syntect, as class names (`hl-*`) that the stylesheet
//! colours for each theme. Languages syntect does not know are shown plain, escaped.

use std::sync::OnceLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Aliases for fence tags that syntect files under another name.
fn token_for(lang: &str) -> &str {
    match lang {
        "js" | "javascript" | "ts" | "typescript" => "js",
        "sh" | "shell" | "bash" | "console" => "bash",
        "yml" => "yaml",
        other => other,
    }
}

/// Renders a code block as `<pre><code>` with highlighting spans where the language is known.
pub fn code_block(lang: &str, code: &str) -> String {
    let lang = lang.trim();
    let set = syntaxes();
    let label = if lang.is_empty() { String::new() } else { format!(" data-lang=\"{}\"", escape(lang)) };
    let highlighted = (!lang.is_empty())
        .then(|| set.find_syntax_by_token(token_for(lang)))
        .flatten()
        .and_then(|syntax| {
            let mut gen = ClassedHTMLGenerator::new_with_class_style(syntax, set, ClassStyle::SpacedPrefixed { prefix: "hl-" });
            for line in LinesWithEndings::from(code) {
                gen.parse_html_for_line_which_includes_newline(line).ok()?;
            }
            Some(gen.finalize())
        });
    let body = highlighted.unwrap_or_else(|| escape(code));
    format!("<pre class=\"code\"{label} tabindex=\"0\"><code>{body}</code></pre>\n")
}

pub use super::escape::escape;
