//! A strict JSON reader (RFC 8259) that records every token it reads, where it stands, and
//! the exact line and column of the first error. It is the engine of the JSON inspector.
//!
//! The reader is iterative (an explicit stack, no recursion), so hostile nesting cannot
//! overflow the wasm stack. It accepts what serde_json accepts (the test suite checks this on
//! generated and mutated documents), except at the edge of the f64 range, where it rounds
//! exactly as IEEE 754 (and Rust's own parser) does.

use std::sync::Arc;

use super::plural;
use super::timeline::Machine;

/// Nesting deeper than this is refused, as serde_json refuses it.
pub const MAX_DEPTH: usize = 127;

#[derive(Clone, Debug, PartialEq)]
pub enum TokenKind {
    BeginObject,
    EndObject { members: usize },
    BeginArray,
    EndArray { elements: usize },
    Key(String),
    String(String),
    /// The number exactly as written; JSON has one number type and no fixed precision.
    Number { text: String },
    Bool(bool),
    Null,
}

/// One token, with its place in the source and in the document.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    /// Byte range in the source.
    pub start: usize,
    pub end: usize,
    /// 1-based line and column (columns count characters) of the token's first character.
    pub line: usize,
    pub col: usize,
    /// Where the value sits, as a JSONPath such as `$.items[0].price`.
    pub path: String,
    /// A key that repeats a name already used in the same object (RFC 8259 §4: names
    /// SHOULD be unique).
    pub duplicate: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Line {}, column {}: {}", self.line, self.col, self.message)
    }
}

/// Everything the reader saw: the tokens up to the first error, and the error if any.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    pub tokens: Vec<Token>,
    pub error: Option<ParseError>,
}

impl Parsed {
    pub fn is_valid(&self) -> bool {
        self.error.is_none()
    }
}

enum Frame {
    Object { members: usize, path: String, pending_key: Option<String>, names: std::collections::BTreeSet<String> },
    Array { elements: usize, path: String },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// A value (the document root, after a colon, or after a comma in an array).
    Value,
    /// A value or `]`, straight after `[`.
    ValueOrEndArray,
    /// A key or `}`, straight after `{`.
    KeyOrEndObject,
    /// A key, after a comma in an object.
    Key,
    Colon,
    /// `,` or the closing bracket of the innermost container.
    CommaOrEnd,
    /// Only whitespace may follow the root value.
    Nothing,
}

struct Reader<'a> {
    src: &'a str,
    pos: usize,
    line: usize,
    col: usize,
    tokens: Vec<Token>,
    stack: Vec<Frame>,
}

/// Reads `src` as one JSON document.
pub fn parse(src: &str) -> Parsed {
    let mut r = Reader { src, pos: 0, line: 1, col: 1, tokens: Vec::new(), stack: Vec::new() };
    let error = r.run().err();
    Parsed { tokens: r.tokens, error }
}

impl<'a> Reader<'a> {
    fn run(&mut self) -> Result<(), ParseError> {
        let mut expect = Expect::Value;
        loop {
            // Where the last token ended, to point at a missing comma there.
            let (end_line, end_col) = (self.line, self.col);
            self.skip_whitespace();
            let Some(c) = self.peek() else {
                return match expect {
                    Expect::Nothing => Ok(()),
                    _ if self.tokens.is_empty() => Err(self.error("the document is empty: JSON needs exactly one value")),
                    _ => Err(self.error(&format!("the text ended too soon: {}", describe(expect, self.stack.last())))),
                };
            };
            expect = match expect {
                Expect::Nothing => return Err(self.error(&format!("unexpected {} after the end of the document", show(c)))),
                Expect::Colon => {
                    if c != ':' {
                        return Err(self.error(&format!("expected `:` after the key, found {}", show(c))));
                    }
                    self.bump(1);
                    Expect::Value
                }
                Expect::CommaOrEnd => match (c, self.stack.last()) {
                    (',', Some(Frame::Object { .. })) => {
                        self.bump(1);
                        Expect::Key
                    }
                    (',', _) => {
                        self.bump(1);
                        Expect::Value
                    }
                    ('}', Some(Frame::Object { .. })) | (']', Some(Frame::Array { .. })) => self.close()?,
                    // A value on a later line, where a comma or the end was due: most often the
                    // comma at the end of the line before was forgotten, so say where it goes.
                    _ if end_line < self.line && matches!(c, '"' | '{' | '[' | '-' | '0'..='9' | 't' | 'f' | 'n') => {
                        return Err(self.error(&format!(
                            "expected {}, found {}: is a comma missing at the end of line {end_line}, after column {}?",
                            describe(expect, self.stack.last()),
                            show(c),
                            end_col - 1
                        )))
                    }
                    _ => return Err(self.error(&format!("expected {}, found {}", describe(expect, self.stack.last()), show(c)))),
                },
                Expect::KeyOrEndObject | Expect::Key => match c {
                    '"' => {
                        let (start, line, col) = (self.pos, self.line, self.col);
                        let key = self.string()?;
                        let mut duplicate = false;
                        if let Some(Frame::Object { pending_key, names, .. }) = self.stack.last_mut() {
                            *pending_key = Some(key.clone());
                            duplicate = !names.insert(key.clone());
                        }
                        let path = self.container_path();
                        self.push(TokenKind::Key(key), start, line, col, path);
                        if let Some(t) = self.tokens.last_mut() {
                            t.duplicate = duplicate;
                        }
                        Expect::Colon
                    }
                    '}' if expect == Expect::KeyOrEndObject => self.close()?,
                    '}' => return Err(self.error("a comma must be followed by another member: trailing commas are not allowed")),
                    _ => return Err(self.error(&format!("expected {}, found {}", describe(expect, None), show(c)))),
                },
                Expect::Value | Expect::ValueOrEndArray => {
                    if c == ']' && expect == Expect::ValueOrEndArray {
                        self.close()?
                    } else if c == ']' && matches!(self.stack.last(), Some(Frame::Array { elements, .. }) if *elements > 0) {
                        return Err(self.error("a comma must be followed by another element: trailing commas are not allowed"));
                    } else {
                        self.value(c)?
                    }
                }
            };
        }
    }

    /// Reads one value starting with `c`; returns what may follow it.
    fn value(&mut self, c: char) -> Result<Expect, ParseError> {
        let (start, line, col) = (self.pos, self.line, self.col);
        let path = self.value_path();
        match c {
            '{' | '[' => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(self.error(&format!("nesting is deeper than {MAX_DEPTH} levels")));
                }
                self.bump(1);
                let (kind, frame, next) = if c == '{' {
                    (TokenKind::BeginObject, Frame::Object { members: 0, path: path.clone(), pending_key: None, names: Default::default() }, Expect::KeyOrEndObject)
                } else {
                    (TokenKind::BeginArray, Frame::Array { elements: 0, path: path.clone() }, Expect::ValueOrEndArray)
                };
                self.push(kind, start, line, col, path);
                self.stack.push(frame);
                return Ok(next);
            }
            '"' => {
                let s = self.string()?;
                self.push(TokenKind::String(s), start, line, col, path);
            }
            '-' | '0'..='9' => {
                let text = self.number()?;
                self.push(TokenKind::Number { text }, start, line, col, path);
            }
            't' | 'f' | 'n' => {
                let (word, kind) = match c {
                    't' => ("true", TokenKind::Bool(true)),
                    'f' => ("false", TokenKind::Bool(false)),
                    _ => ("null", TokenKind::Null),
                };
                let rest = &self.src[self.pos..];
                let matched = rest.bytes().zip(word.bytes()).take_while(|(a, b)| a == b).count();
                if matched < word.len() {
                    self.bump(matched);
                    return Err(self.error(&format!("expected the literal `{word}`: JSON literals are lowercase and spelled in full")));
                }
                self.bump(word.len());
                self.push(kind, start, line, col, path);
            }
            _ => {
                return Err(self.error(&format!(
                    "expected a value (a string, number, object, array, true, false or null), found {}",
                    show(c)
                )))
            }
        }
        Ok(self.after_value())
    }

    fn after_value(&mut self) -> Expect {
        match self.stack.last_mut() {
            None => Expect::Nothing,
            Some(Frame::Object { members, pending_key, .. }) => {
                *members += 1;
                *pending_key = None;
                Expect::CommaOrEnd
            }
            Some(Frame::Array { elements, .. }) => {
                *elements += 1;
                Expect::CommaOrEnd
            }
        }
    }

    fn close(&mut self) -> Result<Expect, ParseError> {
        let (start, line, col) = (self.pos, self.line, self.col);
        self.bump(1);
        let (kind, path) = match self.stack.pop() {
            Some(Frame::Object { members, path, .. }) => (TokenKind::EndObject { members }, path),
            Some(Frame::Array { elements, path }) => (TokenKind::EndArray { elements }, path),
            None => return Err(self.error("a closing bracket with nothing open")),
        };
        self.push(kind, start, line, col, path);
        Ok(self.after_value())
    }

    fn string(&mut self) -> Result<String, ParseError> {
        self.bump(1);
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error("the string is never closed: a `\"` is missing"));
            };
            match c {
                '"' => {
                    self.bump(1);
                    return Ok(out);
                }
                '\\' => {
                    self.bump(1);
                    let Some(e) = self.peek() else {
                        return Err(self.error("the text ends inside an escape sequence"));
                    };
                    let simple = match e {
                        '"' => Some('"'),
                        '\\' => Some('\\'),
                        '/' => Some('/'),
                        'b' => Some('\u{8}'),
                        'f' => Some('\u{c}'),
                        'n' => Some('\n'),
                        'r' => Some('\r'),
                        't' => Some('\t'),
                        'u' => None,
                        _ => return Err(self.error(&format!("`\\{}` is not an escape JSON knows", e.escape_debug()))),
                    };
                    match simple {
                        Some(ch) => {
                            self.bump(1);
                            out.push(ch);
                        }
                        None => {
                            self.bump(1);
                            let hi = self.hex4()?;
                            let ch = if (0xD800..0xDC00).contains(&hi) {
                                if !self.src[self.pos..].starts_with("\\u") {
                                    return Err(self.error("a \\u escape for a leading surrogate must be followed by its trailing surrogate: JSON's grammar allows a lone one, but it is no Unicode character, and RFC 8259 §8.2 leaves such strings to each reader; this one refuses them"));
                                }
                                self.bump(2);
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.error("a leading surrogate must be followed by a trailing surrogate (DC00 to DFFF)"));
                                }
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                            } else if (0xDC00..0xE000).contains(&hi) {
                                None
                            } else {
                                char::from_u32(hi)
                            };
                            match ch {
                                Some(ch) => out.push(ch),
                                None => return Err(self.error("a trailing surrogate cannot stand alone in a \\u escape: JSON's grammar allows it, but it is no Unicode character, and RFC 8259 §8.2 leaves such strings to each reader; this one, like Rust's and many others, refuses them")),
                            }
                        }
                    }
                }
                c if (c as u32) < 0x20 => {
                    return Err(self.error(&format!(
                        "control character U+{:04X} must be written as an escape inside a string",
                        c as u32
                    )))
                }
                c => {
                    out.push(c);
                    self.bump(c.len_utf8());
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let mut v = 0u32;
        for _ in 0..4 {
            match self.peek().and_then(|c| c.to_digit(16)) {
                Some(d) => {
                    v = v * 16 + d;
                    self.bump(1);
                }
                None => return Err(self.error("a \\u escape needs exactly four hex digits")),
            }
        }
        Ok(v)
    }

    fn number(&mut self) -> Result<String, ParseError> {
        let start = self.pos;
        let b = self.src.as_bytes();
        let digits = |r: &mut Self| {
            let from = r.pos;
            while r.pos < b.len() && b[r.pos].is_ascii_digit() {
                r.bump(1);
            }
            r.pos - from
        };
        if b[self.pos] == b'-' {
            self.bump(1);
        }
        match b.get(self.pos) {
            Some(b'0') => {
                self.bump(1);
                if b.get(self.pos).is_some_and(|c| c.is_ascii_digit()) {
                    return Err(self.error("numbers cannot have leading zeros"));
                }
            }
            Some(c) if c.is_ascii_digit() => {
                digits(self);
            }
            _ => return Err(self.error("a minus sign must be followed by a digit")),
        }
        if b.get(self.pos) == Some(&b'.') {
            self.bump(1);
            if digits(self) == 0 {
                return Err(self.error("a decimal point must be followed by at least one digit"));
            }
        }
        if matches!(b.get(self.pos), Some(b'e' | b'E')) {
            self.bump(1);
            if matches!(b.get(self.pos), Some(b'+' | b'-')) {
                self.bump(1);
            }
            if digits(self) == 0 {
                return Err(self.error("an exponent must have at least one digit"));
            }
        }
        let text = &self.src[start..self.pos];
        if overflows_f64(text) {
            return Err(self.error("this number is too large to represent as a 64-bit float: JSON's grammar allows it, but RFC 8259 §6 lets a reader limit the range it accepts, and this one (like JavaScript's) stops at about 1.8e308"));
        }
        Ok(text.to_string())
    }

    fn container_path(&self) -> String {
        match self.stack.last() {
            Some(Frame::Object { path, .. }) | Some(Frame::Array { path, .. }) => path.clone(),
            None => "$".to_string(),
        }
    }

    /// The path of the value about to be read.
    fn value_path(&self) -> String {
        match self.stack.last() {
            None => "$".to_string(),
            Some(Frame::Array { elements, path }) => format!("{path}[{elements}]"),
            Some(Frame::Object { path, pending_key, .. }) => join_key(path, pending_key.as_deref().unwrap_or("?")),
        }
    }

    fn push(&mut self, kind: TokenKind, start: usize, line: usize, col: usize, path: String) {
        self.tokens.push(Token { kind, start, end: self.pos, line, col, path, duplicate: false });
    }

    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.src.as_bytes().get(self.pos) {
            self.bump(1);
        }
    }

    /// Moves `n` bytes on, keeping line and column current.
    fn bump(&mut self, n: usize) {
        let end = self.pos + n;
        for c in self.src[self.pos..end].chars() {
            if c == '\n' {
                self.line += 1;
                self.col = 1;
            } else {
                self.col += 1;
            }
        }
        self.pos = end;
    }

    fn error(&self, message: &str) -> ParseError {
        ParseError { offset: self.pos, line: self.line, col: self.col, message: message.to_string() }
    }
}

/// The smallest magnitude that rounds to infinity as an f64: 2^1024 - 2^970, in full.
const F64_OVERFLOW: &str = "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792";

/// Whether a JSON number (already checked against the grammar) is too large for an f64,
/// decided exactly on its digits, without parsing a float.
fn overflows_f64(text: &str) -> bool {
    let unsigned = text.trim_start_matches('-');
    let (mantissa, exp) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], &unsigned[i + 1..]),
        None => (unsigned, "0"),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: String = int.chars().chain(frac.chars()).collect();
    let sig = digits.trim_start_matches('0');
    if sig.is_empty() {
        return false;
    }
    // value = sig × 10^(exp - frac.len()); count the digits of its integer part.
    let negative = exp.starts_with('-');
    let mut e: i64 = 0;
    for b in exp.trim_start_matches(['+', '-']).bytes() {
        e = (e * 10 + i64::from(b - b'0')).min(1 << 40);
    }
    let e = if negative { -e } else { e };
    let int_digits = sig.len() as i64 + e - frac.len() as i64;
    let limit = F64_OVERFLOW.len() as i64;
    if int_digits != limit {
        return int_digits > limit;
    }
    let width = sig.len().max(F64_OVERFLOW.len());
    let pad = |s: &str| format!("{s:0<width$}");
    pad(sig) >= pad(F64_OVERFLOW)
}

fn join_key(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !key.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", quote(key, 24))
    }
}

fn describe(expect: Expect, top: Option<&Frame>) -> &'static str {
    match (expect, top) {
        (Expect::CommaOrEnd, Some(Frame::Object { .. })) => "`,` or `}` after an object member",
        (Expect::CommaOrEnd, _) => "`,` or `]` after an array element",
        (Expect::Colon, _) => "`:` after a key",
        (Expect::Key, _) => "a key in double quotes",
        (Expect::KeyOrEndObject, _) => "a key in double quotes or `}`",
        (Expect::ValueOrEndArray, _) => "a value or `]`",
        (Expect::Value, _) => "a value",
        (Expect::Nothing, _) => "the end of the document",
    }
}

/// Names a character for a message, making invisible ones visible.
fn show(c: char) -> String {
    if c.is_control() || c.is_whitespace() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
        format!("the character U+{:04X}", c as u32)
    } else if c == '\'' {
        "`'` (JSON strings use double quotes)".to_string()
    } else {
        format!("`{c}`")
    }
}

/// Quotes text for display, cut to `max` characters.
pub fn quote(s: &str, max: usize) -> String {
    let mut out = String::from("\"");
    for c in s.chars().take(max) {
        out.extend(c.escape_debug());
    }
    if s.chars().count() > max {
        out.push('…');
    }
    out.push('"');
    out
}

impl TokenKind {
    /// The JSON type this token begins or is, for display.
    pub fn type_name(&self) -> &'static str {
        match self {
            TokenKind::BeginObject | TokenKind::EndObject { .. } => "object",
            TokenKind::BeginArray | TokenKind::EndArray { .. } => "array",
            TokenKind::Key(_) => "key",
            TokenKind::String(_) => "string",
            TokenKind::Number { .. } => "number",
            TokenKind::Bool(_) => "boolean",
            TokenKind::Null => "null",
        }
    }
}

fn narrate_token(t: &Token) -> String {
    let at = format!("Line {}, column {}: ", t.line, t.col);
    let body = match &t.kind {
        TokenKind::BeginObject => format!("`{{` opens an object at {}.", t.path),
        TokenKind::EndObject { members } => format!("`}}` closes the object at {} ({} member{}).", t.path, members, plural(*members)),
        TokenKind::BeginArray => format!("`[` opens an array at {}.", t.path),
        TokenKind::EndArray { elements } => format!("`]` closes the array at {} ({} element{}).", t.path, elements, plural(*elements)),
        TokenKind::Key(k) if t.duplicate => format!(
            "the key {} names the next member of {}, and repeats a name this object already has. RFC 8259 §4 says names SHOULD be unique, because readers disagree about such a document: JavaScript's JSON.parse keeps the last member of the name, others keep the first or refuse it.",
            quote(k, 40),
            t.path
        ),
        TokenKind::Key(k) => format!("the key {} names the next member of {}.", quote(k, 40), t.path),
        TokenKind::String(s) => format!("a string, {}, at {}.", quote(s, 40), t.path),
        TokenKind::Number { text, .. } => format!("a number, {}, at {}.", clip(text, 40), t.path),
        TokenKind::Bool(b) => format!("a boolean, {b}, at {}.", t.path),
        TokenKind::Null => format!("null at {}: a value of its own, meaning nothing is here.", t.path),
    };
    at + &body
}


fn clip(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        s.chars().take(max).collect::<String>() + "…"
    } else {
        s.to_string()
    }
}

/// Counts of each type in a valid document, for the closing summary.
fn summary(tokens: &[Token]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for t in tokens {
        let name = match t.kind {
            TokenKind::BeginObject => "object",
            TokenKind::BeginArray => "array",
            TokenKind::String(_) => "string",
            TokenKind::Number { .. } => "number",
            TokenKind::Bool(_) => "boolean",
            TokenKind::Null => "null",
            _ => continue,
        };
        match counts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, c)) => *c += 1,
            None => counts.push((name, 1)),
        }
    }
    let parts: Vec<String> = counts
        .iter()
        .map(|(n, c)| if *n == "null" { format!("{c} null") } else { format!("{c} {n}{}", plural(*c)) })
        .collect();
    let repeated = tokens.iter().filter(|t| t.duplicate).count();
    let warn = match tokens.iter().find(|t| t.duplicate) {
        Some(t) => format!(" But {repeated} key{} repeat{} a name in {} object, first on line {}: readers may not agree on what it means.", plural(repeated), if repeated == 1 { "s" } else { "" }, if repeated == 1 { "its" } else { "their" }, t.line),
        None => String::new(),
    };
    format!("Done: valid JSON with {}.{warn}", parts.join(", "))
}

/// The inspector's stepper: the reader starts before the first token, shows one token per
/// step, and ends on either the summary of a valid document or the error.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonWalk {
    parsed: Arc<Parsed>,
    chars: usize,
    /// 0 is "about to read"; `1..=tokens.len()` shows token `step - 1`; one more for the end.
    step: usize,
}

/// What the inspector draws at one step.
#[derive(Clone, Debug, PartialEq)]
pub enum Focus<'a> {
    Start,
    Token(&'a Token),
    Valid,
    Error(&'a ParseError),
}

impl JsonWalk {
    pub fn new(src: &str) -> Self {
        JsonWalk { parsed: Arc::new(parse(src)), chars: src.chars().count(), step: 0 }
    }

    pub fn parsed(&self) -> &Parsed {
        &self.parsed
    }

    /// The tokens read so far, including the current one.
    pub fn seen(&self) -> &[Token] {
        let n = self.step.min(self.parsed.tokens.len());
        &self.parsed.tokens[..n]
    }

    pub fn focus(&self) -> Focus<'_> {
        let n = self.parsed.tokens.len();
        match self.step {
            0 => Focus::Start,
            s if s <= n => Focus::Token(&self.parsed.tokens[s - 1]),
            _ => match &self.parsed.error {
                Some(e) => Focus::Error(e),
                None => Focus::Valid,
            },
        }
    }
}

impl Machine for JsonWalk {
    fn advance(&mut self) -> bool {
        if self.step > self.parsed.tokens.len() {
            return false;
        }
        self.step += 1;
        true
    }

    fn narrate(&self) -> String {
        match self.focus() {
            Focus::Start => format!(
                "Ready to read {} character{} of text, one token at a time.",
                self.chars,
                plural(self.chars)
            ),
            Focus::Token(t) => narrate_token(t),
            Focus::Valid => summary(&self.parsed.tokens),
            Focus::Error(e) => format!("{e}. The reader stops here: the document is not valid JSON."),
        }
    }
}

/// The inspector's sample documents, by the names in the widget catalog. All but `broken`
/// are valid; `broken` has the two mistakes people make most.
/// The sample documents' names, in menu order; `preset` gives each one's text.
pub const PRESETS: &[&str] = &["order", "user", "types", "broken"];

pub fn preset(name: &str) -> &'static str {
    match name {
        "user" => "{\n  \"id\": 7,\n  \"email\": \"ada@example.com\",\n  \"name\": \"Ada\",\n  \"roles\": [\"customer\"],\n  \"verified\": false\n}",
        "types" => "[\"text\", -12.5e3, true, false, null, {}, []]",
        "broken" => "{\n  \"sku\": \"MUG-01\",\n  \"qty\": 2\n  \"price\": 8.50,\n}",
        _ => "{\n  \"id\": 1042,\n  \"customer\": \"ada@example.com\",\n  \"paid\": true,\n  \"coupon\": null,\n  \"items\": [\n    { \"sku\": \"TEAPOT-42\", \"qty\": 1, \"price_pence\": 3400 }\n  ]\n}",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::timeline::{Timeline, TimelineConfig};
    use proptest::prelude::*;
    use serde_json::Value;

    /// Rebuilds a serde_json value from our tokens, to compare with serde_json's own reading.
    fn to_value(tokens: &[Token]) -> Value {
        fn go(t: &[Token], i: &mut usize) -> Value {
            let tok = &t[*i];
            *i += 1;
            match &tok.kind {
                TokenKind::BeginObject => {
                    let mut m = serde_json::Map::new();
                    loop {
                        match &t[*i].kind {
                            TokenKind::EndObject { .. } => {
                                *i += 1;
                                return Value::Object(m);
                            }
                            TokenKind::Key(k) => {
                                let k = k.clone();
                                *i += 1;
                                let v = go(t, i);
                                m.insert(k, v);
                            }
                            other => panic!("unexpected {other:?}"),
                        }
                    }
                }
                TokenKind::BeginArray => {
                    let mut v = Vec::new();
                    while !matches!(t[*i].kind, TokenKind::EndArray { .. }) {
                        v.push(go(t, i));
                    }
                    *i += 1;
                    Value::Array(v)
                }
                TokenKind::String(s) => Value::String(s.clone()),
                TokenKind::Number { text } => serde_json::Number::from_f64(text.parse().unwrap()).map(Value::Number).unwrap(),
                TokenKind::Bool(b) => Value::Bool(*b),
                TokenKind::Null => Value::Null,
                other => panic!("unexpected {other:?}"),
            }
        }
        go(tokens, &mut 0)
    }

    /// Compares values with numbers as f64 (serde keeps integers apart; JSON has one number type).
    fn same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => {
                let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                x == y || ((x - y) / x.abs().max(y.abs())).abs() < 1e-15
            }
            (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
            (Value::Object(x), Value::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w))),
            _ => a == b,
        }
    }

    fn agree(src: &str) -> Result<(), String> {
        let ours = parse(src);
        match (serde_json::from_str::<Value>(src), &ours.error) {
            (Ok(v), None) => {
                if same(&to_value(&ours.tokens), &v) {
                    Ok(())
                } else {
                    Err(format!("values differ for {src:?}"))
                }
            }
            (Err(_), Some(_)) => Ok(()),
            (Ok(_), Some(e)) => Err(format!("we refused {src:?} that serde_json accepts: {e}")),
            (Err(e), None) => Err(format!("we accepted {src:?} that serde_json refuses: {e}")),
        }
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| Value::from(n)),
            (-1e12f64..1e12).prop_map(|f| Value::from(f)),
            "\\PC{0,10}".prop_map(Value::String),
            "[\\u{0}-\\u{1f}\"\\\\\u{1F600}é]{0,4}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 40, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                proptest::collection::btree_map("\\PC{0,6}", inner, 0..5).prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn agrees_with_serde_on_any_document_compact_or_pretty(v in arb_json()) {
            let compact = serde_json::to_string(&v).unwrap();
            let pretty = serde_json::to_string_pretty(&v).unwrap();
            prop_assert_eq!(agree(&compact), Ok(()));
            prop_assert_eq!(agree(&pretty), Ok(()));
            prop_assert!(parse(&pretty).is_valid());
        }

        #[test]
        fn agrees_with_serde_on_mutated_documents(v in arb_json(), edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..4, prop::sample::select(vec!['{','}','[',']',',',':','"','\\','0','1','-','.','e','t','n',' ','\n','x','\u{1}'])), 1..4)) {
            let mut s: Vec<char> = serde_json::to_string(&v).unwrap().chars().collect();
            for (at, op, c) in edits {
                let i = if s.is_empty() { 0 } else { at.index(s.len()) };
                match op {
                    0 if !s.is_empty() => { s.remove(i); }
                    1 => s.insert(i, c),
                    _ if !s.is_empty() => s[i] = c,
                    _ => s.push(c),
                }
            }
            let src: String = s.into_iter().collect();
            prop_assert_eq!(agree(&src), Ok(()));
        }

        #[test]
        fn never_panics_and_errors_point_inside_the_text(s in "\\PC{0,80}") {
            let p = parse(&s);
            if let Some(e) = p.error {
                prop_assert!(e.offset <= s.len());
                prop_assert!(e.line >= 1 && e.col >= 1);
                let before = &s[..e.offset];
                prop_assert_eq!(e.line, before.matches('\n').count() + 1);
                prop_assert_eq!(e.col, before.rsplit('\n').next().unwrap().chars().count() + 1);
            }
        }
    }

    #[test]
    fn null_is_narrated_as_a_value_wherever_it_stands() {
        // RFC 8259 §3: null is one of the literal values; at the root or in an array it is no member.
        for src in ["null", "[null]", "{\"a\": null}"] {
            let p = parse(src);
            let t = p.tokens.iter().find(|t| t.kind == TokenKind::Null).unwrap();
            let said = narrate_token(t);
            assert!(said.contains("a value of its own") && !said.contains("member"), "{src}: {said}");
        }
    }

    #[test]
    fn edge_cases_agree_with_serde() {
        let cases = [
            "", " ", "0", "-0", "01", "-", "1.", ".5", "1e", "1e+", "1E5", "1e400", "-1e400", "1e-400", "0e99999999999999999999",
            "1.7976931348623157e308", "1e308", "10e308",
            "18446744073709551616", "\"\\ud83d\\ude00\"", "\"\\ud83d\"", "\"\\ude00\"", "\"\\u12\"", "\"\\x\"",
            "\"a\nb\"", "[1,]", "{\"a\":1,}", "[,1]", "{,}", "{\"a\" 1}", "{1:2}", "[1 2]", "tru", "True", "nul",
            "[]", "{}", "[[]]", "{\"\":{}}", "\"\\/\"", "1 2", "[1]x", "'a'", "\u{feff}1", "[\u{a0}1]",
        ];
        for c in cases {
            assert_eq!(agree(c), Ok(()), "case {c:?}");
        }
    }

    /// At the very edge of the f64 range the reader follows IEEE 754 rounding exactly, as
    /// Rust's own parser does; serde_json's default (fast) parser refuses a few numbers just
    /// below the limit, so this boundary is checked against Rust rather than serde.
    #[test]
    fn overflow_boundary_is_exact() {
        let cases = [
            "1.7976931348623157e308", "1.7976931348623158e308", "-1.79769313486231580793e308",
            "1.797693134862315807937289714053e308", "1.7976931348623158079372897140531e308",
            "179769313486231570e291", "0.00017976931348623159e312", "1e309", "9e307", "0.1e310",
        ];
        for c in cases {
            let rust_says = c.parse::<f64>().unwrap().is_infinite();
            assert_eq!(overflows_f64(c), rust_says, "{c}");
            assert_eq!(parse(c).is_valid(), !rust_says, "{c}");
        }
    }

    proptest! {
        #[test]
        fn overflow_check_matches_rust_near_the_limit(digits in "[0-9]{1,25}", exp in 280i32..330, frac in 0usize..5) {
            let text = if frac > 0 && digits.len() > frac {
                format!("{}.{}e{exp}", &digits[..digits.len() - frac], &digits[digits.len() - frac..])
            } else {
                format!("{digits}e{exp}")
            };
            if parse(&text).tokens.len() == 1 || parse(&text).error.as_ref().is_some_and(|e| e.message.contains("too large")) {
                prop_assert_eq!(overflows_f64(&text), text.parse::<f64>().unwrap().is_infinite(), "{}", text);
            }
        }
    }

    #[test]
    fn depth_limit_matches_serde_exactly() {
        for depth in 120..135 {
            let s = "[".repeat(depth) + &"]".repeat(depth);
            assert_eq!(agree(&s), Ok(()), "depth {depth}");
        }
        let deep = "[".repeat(100_000);
        assert!(parse(&deep).error.unwrap().message.contains("nesting"));
    }

    #[test]
    fn errors_name_the_exact_line_and_column() {
        let src = "{\n  \"total\": 19.99,\n  \"paid\": true\n  \"items\": []\n}";
        let e = parse(src).error.unwrap();
        assert_eq!((e.line, e.col), (4, 3));
        assert!(e.message.contains("`,` or `}`"), "{}", e.message);

        let e = parse("[1, 2,]").error.unwrap();
        assert_eq!((e.line, e.col), (1, 7));
        assert!(e.message.contains("trailing commas"));

        let e = parse("{'a': 1}").error.unwrap();
        assert!(e.message.contains("double quotes"), "{}", e.message);

        let e = parse("\"é\u{202e}\t\"").error.unwrap();
        assert_eq!(e.col, 4, "columns count characters, not bytes");
        assert!(e.message.contains("U+0009"));
    }

    #[test]
    fn presets_are_valid_except_the_broken_one() {
        for name in PRESETS {
            assert_eq!(agree(preset(name)), Ok(()), "{name}");
            assert_eq!(parse(preset(name)).is_valid(), *name != "broken", "{name}");
        }
        let e = parse(preset("broken")).error.unwrap();
        assert_eq!((e.line, e.col), (4, 3), "the missing comma is found first");
        assert!(e.message.ends_with("is a comma missing at the end of line 3, after column 10?"), "{}", e.message);
        // On one line there is no line before to point at.
        assert!(!parse("[1 2]").error.unwrap().message.contains("line"));
    }

    #[test]
    fn a_repeated_name_is_valid_but_warned_about() {
        // RFC 8259 §4: names within an object SHOULD be unique; serde_json reads it too.
        let src = "{\"a\": 1,\n \"b\": {\"a\": 2},\n \"a\": 3}";
        assert_eq!(agree(src), Ok(()));
        let p = parse(src);
        assert!(p.is_valid());
        let dups: Vec<usize> = p.tokens.iter().filter(|t| t.duplicate).map(|t| t.line).collect();
        assert_eq!(dups, [3], "the inner object's `a` is its own first");
        let t = p.tokens.iter().find(|t| t.duplicate).unwrap();
        assert!(narrate_token(t).contains("repeats a name"), "{}", narrate_token(t));
        let walk = Timeline::new(JsonWalk::new(src), TimelineConfig::default());
        assert!(walk.transcript().last().unwrap().ends_with("But 1 key repeats a name in its object, first on line 3: readers may not agree on what it means."), "{:?}", walk.transcript().last());
        assert!(!Timeline::new(JsonWalk::new("{\"a\": 1}"), TimelineConfig::default()).transcript().last().unwrap().contains("repeat"));
    }

    #[test]
    fn paths_follow_the_document() {
        let p = parse(r#"{"items":[{"price":5}],"a b":null}"#);
        let paths: Vec<(&str, &str)> = p.tokens.iter().map(|t| (t.kind.type_name(), t.path.as_str())).collect();
        assert!(paths.contains(&("number", "$.items[0].price")));
        assert!(paths.contains(&("null", "$[\"a b\"]")));
        assert_eq!(paths[0], ("object", "$"));
    }

    #[test]
    fn walk_narrates_start_tokens_and_end() {
        let mut t = Timeline::new(JsonWalk::new("[true, null]"), TimelineConfig::default());
        assert_eq!(t.last(), 5, "start, 4 tokens, summary");
        assert!(t.narration().starts_with("Ready to read 12 characters"));
        t.seek(2);
        assert_eq!(t.narration(), "Line 1, column 2: a boolean, true, at $[0].");
        t.seek(5);
        assert_eq!(t.narration(), "Done: valid JSON with 1 array, 1 boolean, 1 null.");

        let bad = Timeline::new(JsonWalk::new("[tru]"), TimelineConfig::default());
        let lines = bad.transcript();
        assert!(lines.last().unwrap().starts_with("Line 1, column 5: expected the literal `true`"), "{lines:?}");
    }
}
