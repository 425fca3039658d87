// Applies the reader's saved colour theme before the first paint, so the page never flashes
// the wrong theme while the app loads. Anything unexpected in storage means "system".
(function () {
  try {
    var t = window.localStorage.getItem("techbasics.theme");
    if (t === "light" || t === "dark") document.documentElement.setAttribute("data-theme", t);
  } catch (e) {
    // Storage can be blocked (private modes, sandboxed frames): the system theme applies.
  }
})();
