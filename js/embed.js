// techbasics embed helper for the page that hosts an iframe: resizes each techbasics iframe
// to the height its widget reports. It trusts only messages from the origin this script was
// loaded from, and clamps every height. The snippet loads it async, so a frame may have
// reported its last height before it ran: it asks every frame to report again, at once and
// whenever one (re)loads.
(function () {
  var script = document.currentScript;
  if (!script) return;
  var origin = new URL(script.src).origin;
  window.addEventListener("message", function (e) {
    if (!e.data || e.data.type !== "techbasics:height") return;
    // A frame sandboxed without allow-same-origin reports the origin "null"; such a message is
    // still accepted only from a frame whose address is on the embed origin.
    if (e.origin !== origin && e.origin !== "null") return;
    var h = Math.max(120, Math.min(5000, Math.round(Number(e.data.height)) || 0));
    var frames = document.querySelectorAll("iframe[data-techbasics]");
    for (var i = 0; i < frames.length; i++) {
      var f = frames[i];
      if (f.contentWindow === e.source && f.src.indexOf(origin + "/") === 0) f.style.height = h + "px";
    }
  });
  function ask(f) {
    // "*": a sandboxed frame's origin is "null"; the question carries nothing.
    if (f.contentWindow && f.src.indexOf(origin + "/") === 0) f.contentWindow.postMessage({ type: "techbasics:ask" }, "*");
  }
  var frames = document.querySelectorAll("iframe[data-techbasics]");
  for (var i = 0; i < frames.length; i++) {
    ask(frames[i]);
    frames[i].addEventListener("load", function (e) { ask(e.target); });
  }
})();
