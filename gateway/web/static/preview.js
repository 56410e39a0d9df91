/* Attachments previewed in the page (_attachment_preview.html).
 *
 * A PDF shown in a frame: Chromium's viewer takes the keyboard focus when the file
 * has loaded, which would pull a keyboard user (or an open confirm dialog) away from
 * where they are. When a frame finishes loading and has taken the focus without
 * the reader pointing at it, the focus goes back where it was. Each frame is marked
 * `data-loaded` once loaded.
 */
(function () {
  "use strict";
  var frames = document.querySelectorAll("iframe.preview-pdf");
  if (!frames.length) { return; }
  var last = document.activeElement, pointed = null;

  document.addEventListener("focusin", function (event) {
    if (event.target.tagName !== "IFRAME") { last = event.target; }
  });
  frames.forEach(function (frame) {
    frame.addEventListener("pointerdown", function () { pointed = frame; });
    var doc = null;
    try { doc = frame.contentDocument; } catch (e) { doc = null; }
    if (doc && doc.readyState === "complete" && doc.URL !== "about:blank") {
      frame.setAttribute("data-loaded", "");  // loaded before this script ran
    }
    frame.addEventListener("load", function () {
      frame.setAttribute("data-loaded", "");
      // The viewer focuses itself a moment after its load event.
      [0, 100, 400].forEach(function (wait) {
        window.setTimeout(function () {
          if (document.activeElement === frame && pointed !== frame && last && last !== frame &&
              typeof last.focus === "function") {
            last.focus();
          }
        }, wait);
      });
    });
  });
  window.addEventListener("mousedown", function () { pointed = null; }, true);
}());
