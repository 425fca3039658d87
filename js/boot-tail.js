
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
  navigator.serviceWorker.addEventListener("controllerchange", function () {
    if (accepted) location.reload();
  });
})();

// Widget bundles: each page preloads the bundles of the widgets it shows (see site.rs);
// start each one. A bundle that fails to load leaves its placeholder's message in place.
document.querySelectorAll("link[data-bundle-wasm]").forEach(function (link) {
  import(link.href)
    .then(function (m) { return m.default({ module_or_path: link.getAttribute("data-bundle-wasm") }); })
    .catch(function (e) { console.error("techbasics: a widget bundle failed to start", e); });
});

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
})();
