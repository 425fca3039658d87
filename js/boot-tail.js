
// Offline reading: register the service worker (not inside embeds, which use no storage),
// and offer a reload when a new version has been fully downloaded.
(function () {
  if (!("serviceWorker" in navigator) || document.documentElement.hasAttribute("data-embed")) return;
  var base = document.documentElement.getAttribute("data-base") || "/";
  var accepted = false;
  function offer(worker) {
    if (document.querySelector(".update-banner")) return;
    var bar = document.createElement("div");
    bar.className = "update-banner";
    bar.setAttribute("role", "status");
    bar.setAttribute("data-testid", "update-banner");
    bar.appendChild(document.createTextNode("A new version of the guide is available. "));
    var b = document.createElement("button");
    b.textContent = "Reload";
    b.addEventListener("click", function () {
      accepted = true;
      worker.postMessage("skip-waiting");
    });
    bar.appendChild(b);
    document.body.appendChild(bar);
  }
  // After the page has loaded, so the precache never competes with the page's own files.
  function register() {
  navigator.serviceWorker.register(base + "sw.js", { scope: base }).then(function (reg) {
    if (reg.waiting && navigator.serviceWorker.controller) offer(reg.waiting);
    reg.addEventListener("updatefound", function () {
      var w = reg.installing;
      if (!w) return;
      w.addEventListener("statechange", function () {
        if (w.state === "installed" && navigator.serviceWorker.controller) offer(w);
      });
    });
  }).catch(function () {});
  }
  if (document.readyState === "complete") setTimeout(register, 0);
  else addEventListener("load", function () { setTimeout(register, 0); });
  navigator.serviceWorker.addEventListener("controllerchange", function () {
    if (accepted) location.reload();
  });
})();

// Widget bundles: each page preloads the bundles of the widgets it shows (see site.rs), and
// starts each one when one of its widgets comes near the screen, so a widget further down
// costs the first paint nothing. A bundle that fails to load leaves its placeholder's
// message in place. (Browser tests set __techbasicsEager to start every bundle at once.)
(function () {
  function start(link) {
    if (link.hasAttribute("data-started")) return;
    link.setAttribute("data-started", "");
    import(link.href)
      .then(function (m) { return m.default({ module_or_path: link.getAttribute("data-bundle-wasm") }); })
      .catch(function (e) { console.error("techbasics: a widget bundle failed to start", e); });
  }
  var links = Array.prototype.slice.call(document.querySelectorAll("link[data-bundle-wasm]"));
  if (!links.length) return;
  if (window.__techbasicsEager || !("IntersectionObserver" in window)) {
    links.forEach(start);
    return;
  }
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (e) {
      if (!e.isIntersecting) return;
      var widget = e.target.getAttribute("data-for");
      links.forEach(function (link) {
        if ((link.getAttribute("data-widgets") || "").split(" ").indexOf(widget) >= 0) start(link);
      });
    });
  }, { rootMargin: "300px 0px" });
  document.querySelectorAll("[data-mount]").forEach(function (el) { observer.observe(el); });
  // A link to a fragment may land past a widget: start everything once the page is idle.
  addEventListener("load", function () {
    setTimeout(function () { if (location.hash) links.forEach(start); }, 0);
  });
})();

// Search: its code and its index load the first time a reader opens it (the header's button,
// or `/` or `s` outside a form field), never with the page. The dialog opens at once; the
// search bundle then takes over every later opening.
(function () {
  var dialog = document.getElementById("search");
  var button = document.querySelector("[data-testid=search-open]");
  if (!dialog || !button || !dialog.getAttribute("data-search-js")) return;
  var started = false;
  function typing(t) {
    if (!t || !t.tagName) return false;
    if (t.tagName === "TEXTAREA" || t.tagName === "SELECT") return true;
    if (t.tagName === "INPUT") return t.getAttribute("type") !== "range";
    return !!(t.closest && t.closest("[contenteditable]"));
  }
  function start() {
    if (started) return;
    started = true;
    if (!dialog.open) dialog.showModal();
    var input = document.getElementById("search-input");
    if (input) input.focus();
    var status = document.getElementById("search-status");
    if (status) status.textContent = "Loading search…";
    import(dialog.getAttribute("data-search-js"))
      .then(function (m) { return m.default({ module_or_path: dialog.getAttribute("data-search-wasm") }); })
      .catch(function () {
        started = false;
        if (status) status.textContent = "Search could not be loaded. Check your connection and try again.";
      });
  }
  button.addEventListener("click", function () { start(); });
  document.addEventListener("keydown", function (e) {
    if (started || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || dialog.open) return;
    if ((e.key === "/" || e.key === "s" || e.key === "S") && !typing(e.target)) {
      e.preventDefault();
      start();
    }
  });
  var close = document.querySelector("[data-testid=search-close]");
  if (close) close.addEventListener("click", function () { dialog.close(); });
  dialog.setAttribute("data-loader", "");
})();
