/* Term tooltips for abbreviations and glossary links: one delegated listener for the whole page (Material's
   per-element tooltips cost ~150 ms of main-thread time on the essay page). Mouse: hover. Keyboard: focus a
   glossary link. Touch: tap an abbreviation (a second tap hides it). Escape hides the tooltip (WCAG 1.4.13). */
(function () {
  "use strict";
  var tip = null, owner = null;
  function ensure() {
    if (tip) { return tip; }
    tip = document.createElement("div");
    tip.id = "term-tooltip";
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    document.body.appendChild(tip);
    return tip;
  }
  function target(node) {
    return node && node.closest ? node.closest("abbr[title], abbr[data-title], a.glossary-link[title], a.glossary-link[data-title]") : null;
  }
  function show(el) {
    var t = ensure();
    if (el.hasAttribute("title")) { el.setAttribute("data-title", el.getAttribute("title")); el.removeAttribute("title"); }
    t.textContent = el.getAttribute("data-title");
    t.hidden = false;
    var r = el.getBoundingClientRect();
    var left = Math.max(8, Math.min(window.scrollX + r.left, window.scrollX + document.documentElement.clientWidth - t.offsetWidth - 8));
    t.style.left = left + "px";
    t.style.top = (window.scrollY + r.bottom + 6) + "px";
    el.setAttribute("aria-describedby", "term-tooltip");
    owner = el;
  }
  function hide() {
    if (tip) { tip.hidden = true; }
    if (owner) { owner.removeAttribute("aria-describedby"); owner = null; }
  }
  // Hover is the mouse's alone: a tap also sends pointerover before its click, which would show the tooltip
  // and let the click hide it again, so the first tap on a touch screen showed nothing.
  document.addEventListener("pointerover", function (e) { var el = target(e.target); if (el && e.pointerType === "mouse") { show(el); } });
  document.addEventListener("pointerout", function (e) { if (e.pointerType === "mouse" && target(e.target)) { hide(); } });
  document.addEventListener("focusin", function (e) { var el = target(e.target); if (el) { show(el); } });
  document.addEventListener("focusout", function (e) { if (target(e.target)) { hide(); } });
  document.addEventListener("click", function (e) {
    var el = target(e.target);
    if (el && el.tagName === "ABBR") { if (owner === el) { hide(); } else { show(el); } }
    else if (!el) { hide(); }
  });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") { hide(); } });
})();
