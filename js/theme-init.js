// Applies the colour theme before the first paint, so the page never flashes the wrong theme
// while the app loads: `?theme=light|dark|auto` on an embed, otherwise the reader's saved
// choice. Embeds never touch storage. Anything unexpected means "system".
(function () {
  var root = document.documentElement;
  var t = null;
  try {
    if (root.hasAttribute("data-embed")) {
      t = new URLSearchParams(window.location.search).get("theme");
    } else {
      t = window.localStorage.getItem("techbasics.theme");
    }
  } catch (e) {
    // Storage can be blocked (private modes, sandboxed frames): the system theme applies.
  }
  if (t === "light" || t === "dark") root.setAttribute("data-theme", t);
})();
