//! Diagrams drawn as inline SVG at build time, placed with ```` ```diagram NAME ````.
//! Each has a title and a long description (the text alternative, read by screen readers
//! and shown when asked), and the chapter adds a visible caption. Colours come from CSS
//! classes (`d-*` in style/main.css), so diagrams follow the theme and need no inline style.

use super::escape::escape;

pub struct Diagram {
    pub title: &'static str,
    pub desc: &'static str,
    pub svg: String,
}

/// Every diagram the content may name.
pub const NAMES: &[&str] = &["client-server", "tls13", "btree", "oauth", "replicas", "load-balancer", "architecture"];

pub fn render(name: &str) -> Option<Diagram> {
    let (title, desc, canvas) = match name {
        "client-server" => client_server(),
        "tls13" => tls13(),
        "btree" => btree(),
        "oauth" => oauth(),
        "replicas" => replicas(),
        "load-balancer" => load_balancer(),
        "architecture" => architecture(),
        _ => return None,
    };
    Some(Diagram { title, desc, svg: canvas.finish(name, title, desc) })
}

/// A drawing in progress: view-box size and the elements so far.
struct Canvas {
    w: u32,
    h: u32,
    body: String,
}

impl Canvas {
    fn new(w: u32, h: u32) -> Canvas {
        Canvas { w, h, body: String::new() }
    }

    /// A box with one or more centred lines of text.
    fn node(&mut self, x: i32, y: i32, w: i32, h: i32, lines: &[&str], class: &str) {
        self.body.push_str(&format!("<rect class=\"d-box {class}\" x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" rx=\"6\"/>"));
        let n = lines.len() as i32;
        for (i, l) in lines.iter().enumerate() {
            let ty = y + h / 2 + (i as i32 * 2 - (n - 1)) * 8 + 5;
            let c = if i == 0 { "d-label" } else { "d-small" };
            self.text(x + w / 2, ty, l, c);
        }
    }

    fn text(&mut self, x: i32, y: i32, s: &str, class: &str) {
        self.body.push_str(&format!("<text class=\"{class}\" x=\"{x}\" y=\"{y}\" text-anchor=\"middle\">{}</text>", escape(s)));
    }

    fn text_left(&mut self, x: i32, y: i32, s: &str, class: &str) {
        self.body.push_str(&format!("<text class=\"{class}\" x=\"{x}\" y=\"{y}\">{}</text>", escape(s)));
    }

    /// A straight arrow, optionally labelled at its middle (above horizontal arrows).
    fn arrow(&mut self, (x1, y1): (i32, i32), (x2, y2): (i32, i32), label: &str, class: &str) {
        self.body.push_str(&format!("<line class=\"d-line {class}\" x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\" marker-end=\"url(#MARK)\"/>"));
        if !label.is_empty() {
            let (mx, my) = ((x1 + x2) / 2, (y1 + y2) / 2);
            if y1 == y2 {
                self.text(mx, my - 6, label, "d-small");
            } else {
                self.text_left(mx + 6, my + 4, label, "d-small");
            }
        }
    }

    fn line(&mut self, (x1, y1): (i32, i32), (x2, y2): (i32, i32), class: &str) {
        self.body.push_str(&format!("<line class=\"d-line {class}\" x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\"/>"));
    }

    fn finish(self, name: &str, title: &str, desc: &str) -> String {
        let mark = format!("d-{name}-head");
        format!(
            "<svg class=\"diagram-svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-labelledby=\"d-{name}-t d-{name}-d\" focusable=\"false\">\
<title id=\"d-{name}-t\">{t}</title><desc id=\"d-{name}-d\">{d}</desc>\
<defs><marker id=\"{mark}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path class=\"d-head\" d=\"M0,0L10,5L0,10z\"/></marker></defs>{body}</svg>",
            w = self.w,
            h = self.h,
            t = escape(title),
            d = escape(desc),
            body = self.body.replace("url(#MARK)", &format!("url(#{mark})")),
        )
    }

    /// A sequence diagram: actors across the top, messages down the page.
    fn sequence(actors: &[&str], messages: &[(usize, usize, &str)]) -> Canvas {
        let w = 400;
        let col = |i: usize| 20 + (w - 40) * (2 * i as i32 + 1) / (2 * actors.len() as i32);
        let h = 70 + 36 * messages.len() as i32;
        let mut c = Canvas::new(w as u32, h as u32);
        let bw = ((w - 40) / actors.len() as i32 - 8).min(110);
        for (i, a) in actors.iter().enumerate() {
            c.node(col(i) - bw / 2, 6, bw, 34, &[a], "d-actor");
            c.line((col(i), 40), (col(i), h - 6), "d-life");
        }
        for (k, (from, to, label)) in messages.iter().enumerate() {
            let y = 70 + 36 * k as i32;
            let (x1, x2) = (col(*from), col(*to));
            let dir = if x2 > x1 { -4 } else { 4 };
            c.arrow((x1, y), (x2 + dir, y), label, "");
        }
        c
    }
}

fn client_server() -> (&'static str, &'static str, Canvas) {
    let mut c = Canvas::new(400, 170);
    c.node(6, 50, 104, 64, &["Browser", "the client"], "d-client");
    c.node(148, 50, 104, 64, &["Web server", "runs your code"], "d-server");
    c.node(290, 50, 104, 64, &["Database", "keeps the data"], "d-store");
    c.arrow((110, 66), (146, 66), "", "");
    c.arrow((146, 98), (112, 98), "", "d-back");
    c.arrow((252, 66), (288, 66), "", "");
    c.arrow((288, 98), (254, 98), "", "d-back");
    c.text(128, 36, "1 request", "d-small");
    c.text(128, 134, "4 response", "d-small");
    c.text(270, 36, "2 query", "d-small");
    c.text(270, 134, "3 rows", "d-small");
    c.text(200, 162, "Every page view and API call runs this loop.", "d-small");
    (
        "The client–server loop",
        "The browser sends a request to the web server (1). The server queries the database (2), gets rows back (3), and sends a response to the browser (4). The browser never talks to the database directly.",
        c,
    )
}

fn tls13() -> (&'static str, &'static str, Canvas) {
    let c = Canvas::sequence(
        &["Browser", "Server"],
        &[
            (0, 1, "ClientHello + key share"),
            (1, 0, "ServerHello + key share"),
            (1, 0, "certificate, signature, Finished"),
            (0, 1, "Finished"),
            (0, 1, "HTTP request (encrypted)"),
            (1, 0, "HTTP response (encrypted)"),
        ],
    );
    (
        "A TLS 1.3 handshake",
        "The browser sends ClientHello with its half of an ephemeral Diffie–Hellman key exchange. The server replies with ServerHello and its own half; both sides now derive the same session keys. Still in the same flight, the server sends its certificate, a signature over the handshake made with the certificate's private key, and a Finished message, all already encrypted. The browser checks the certificate and signature, sends its own Finished, and the HTTP request and response follow, encrypted. No session key is ever sent across the network.",
        c,
    )
}

fn btree() -> (&'static str, &'static str, Canvas) {
    let mut c = Canvas::new(400, 190);
    // Root with two separator keys.
    c.node(140, 10, 120, 36, &["40 · 70"], "d-hot");
    let leaves: [(i32, [&str; 3], bool); 3] = [(6, ["10", "20", "30"], false), (140, ["40", "50", "60"], true), (274, ["70", "80", "90"], false)];
    for (x, keys, hot) in leaves {
        let class = if hot { "d-hot" } else { "" };
        c.node(x, 110, 120, 36, &[&keys.join(" · ")], class);
    }
    c.arrow((150, 46), (66, 108), "", "");
    c.arrow((200, 46), (200, 108), "", "d-hotline");
    c.arrow((250, 46), (334, 108), "", "");
    c.text(86, 74, "< 40", "d-small");
    c.text(226, 80, "40–69", "d-small");
    c.text(316, 74, "≥ 70", "d-small");
    c.arrow((126, 128), (138, 128), "", "");
    c.arrow((260, 128), (272, 128), "", "");
    c.text(200, 176, "Find 50: read the root, follow one pointer, read one leaf.", "d-small");
    (
        "A small B+tree",
        "A root page holds the separator keys 40 and 70 and points to three leaf pages: 10, 20, 30 on the left; 40, 50, 60 in the middle; 70, 80, 90 on the right. Each leaf also points to the next leaf, so a range can be read in order. To find 50, the database reads the root, sees that 50 is between 40 and 70, follows the middle pointer and reads one leaf: two page reads instead of scanning all nine keys.",
        c,
    )
}

fn oauth() -> (&'static str, &'static str, Canvas) {
    let c = Canvas::sequence(
        &["Browser", "Your app", "Provider"],
        &[
            (0, 1, "Sign in with…"),
            (1, 0, "redirect + state + challenge"),
            (0, 2, "user logs in, consents"),
            (2, 0, "redirect + code + state"),
            (0, 1, "code + state"),
            (1, 2, "code + verifier + secret"),
            (2, 1, "access token"),
        ],
    );
    (
        "The OAuth 2.0 authorization code flow with PKCE",
        "The user clicks sign in. Your app redirects the browser to the provider with a random state value and a PKCE code challenge. The user logs in at the provider and consents. The provider redirects the browser back to your app with a one-time code and the same state. Your app checks the state, then sends the code, the PKCE code verifier and its client secret to the provider directly, server to server, and receives an access token. The token never passes through the browser's address bar.",
        c,
    )
}

fn replicas() -> (&'static str, &'static str, Canvas) {
    let mut c = Canvas::new(400, 210);
    c.node(140, 6, 120, 40, &["App server"], "d-server");
    c.node(6, 130, 120, 50, &["Primary", "takes every write"], "d-store");
    c.node(150, 130, 110, 50, &["Replica 1", "read-only"], "d-store");
    c.node(284, 130, 110, 50, &["Replica 2", "read-only"], "d-store");
    c.arrow((160, 46), (80, 128), "writes", "");
    c.arrow((230, 46), (210, 128), "reads", "d-back");
    c.arrow((250, 46), (320, 128), "", "d-back");
    c.arrow((126, 166), (148, 166), "", "d-lag");
    c.line((66, 180), (66, 198), "d-lag");
    c.line((66, 198), (339, 198), "d-lag");
    c.arrow((339, 198), (339, 182), "", "d-lag");
    c.text(200, 208, "", "d-small");
    c.text_left(150, 196, "changes copied, with some lag", "d-small");
    (
        "A primary with two read replicas",
        "The app server sends every write to the primary database. The primary copies each change to replica 1 and replica 2, a little later than it happened: this delay is replication lag. The app sends reads to the replicas, so a read just after a write can miss that write.",
        c,
    )
}

fn load_balancer() -> (&'static str, &'static str, Canvas) {
    let mut c = Canvas::new(400, 220);
    for (i, y) in [20, 90, 160].iter().enumerate() {
        c.node(6, *y, 76, 36, &[["Client", "Client", "Client"][i]], "d-client");
        c.arrow((82, y + 18), (136, 110), "", "");
    }
    c.node(138, 80, 100, 60, &["Load", "balancer"], "d-server");
    c.node(290, 20, 104, 40, &["Server A", "healthy"], "d-server");
    c.node(290, 90, 104, 40, &["Server B", "healthy"], "d-server");
    c.node(290, 160, 104, 40, &["Server C", "failed check"], "d-down");
    c.arrow((238, 100), (288, 40), "", "");
    c.arrow((238, 110), (288, 110), "", "");
    c.line((238, 120), (262, 150), "d-off");
    c.text(264, 160, "✕", "d-label");
    c.text(200, 216, "Checks run every few seconds; C gets no traffic until it passes.", "d-small");
    (
        "A load balancer in front of three servers",
        "Three clients connect to one load balancer, which spreads their requests over servers A and B. Server C failed its health check, so the load balancer sends it nothing until it passes again.",
        c,
    )
}

fn architecture() -> (&'static str, &'static str, Canvas) {
    let mut c = Canvas::new(400, 470);
    c.node(6, 6, 110, 40, &["Browser"], "d-client");
    c.node(150, 6, 110, 40, &["DNS"], "d-store");
    c.node(284, 6, 110, 40, &["CDN", "static files"], "d-server");
    c.arrow((116, 20), (148, 20), "", "");
    c.line((60, 46), (60, 60), "");
    c.line((60, 60), (339, 60), "");
    c.arrow((339, 60), (339, 48), "", "");
    c.arrow((60, 60), (60, 88), "API calls", "");
    c.node(6, 90, 388, 36, &["Load balancer (TLS ends here)"], "d-server");
    c.node(6, 160, 180, 44, &["App server 1"], "d-server");
    c.node(214, 160, 180, 44, &["App server 2"], "d-server");
    c.arrow((96, 126), (96, 158), "", "");
    c.arrow((304, 126), (304, 158), "", "");
    c.node(6, 240, 110, 44, &["Cache", "sessions, hot reads"], "d-store");
    c.node(145, 240, 110, 44, &["Primary DB"], "d-store");
    c.node(284, 240, 110, 44, &["Replica DB"], "d-store");
    c.arrow((60, 204), (60, 238), "", "");
    c.arrow((160, 204), (190, 238), "", "");
    c.arrow((304, 204), (330, 238), "", "");
    c.arrow((255, 262), (282, 262), "", "d-lag");
    c.node(6, 320, 180, 40, &["Job queue"], "d-store");
    c.node(6, 400, 180, 44, &["Workers", "email, receipts"], "d-server");
    c.node(214, 380, 180, 64, &["External APIs", "payments, email"], "d-client");
    // Enqueue runs down the gap between the cache and the primary.
    c.line((130, 204), (130, 300), "");
    c.line((130, 300), (96, 300), "");
    c.arrow((96, 300), (96, 318), "", "");
    c.text_left(136, 314, "enqueue", "d-small");
    c.arrow((96, 360), (96, 398), "", "");
    c.arrow((186, 420), (212, 420), "", "");
    c.arrow((380, 378), (380, 128), "", "d-back");
    c.text(330, 345, "webhooks", "d-small");
    (
        "The whole architecture",
        "The browser looks the name up in DNS, loads static files from a CDN, and sends API calls to a load balancer, where TLS ends. The load balancer spreads requests over two app servers. The app servers read and write a cache, write to the primary database and read from a replica, which the primary keeps up to date. Slow work goes onto a job queue, and workers take it from there, calling external services such as a payment provider or an email sender. The payment provider calls back with webhooks, which arrive at the load balancer like any other request.",
        c,
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_named_diagram_renders_with_a_text_alternative() {
        for name in super::NAMES {
            let d = super::render(name).expect(name);
            assert!(d.title.len() > 5 && d.desc.len() > 80, "{name}");
            assert!(d.svg.starts_with("<svg") && d.svg.contains("<title") && d.svg.contains("<desc"), "{name}");
            assert!(!d.svg.contains("MARK") && !d.svg.contains("style="), "{name}");
        }
        assert!(super::render("nope").is_none());
    }
}
