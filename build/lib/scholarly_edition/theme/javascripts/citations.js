/* Citation previews. Each in-text citation (<a class="citation" href="#ref-KEY" data-ref="KEY">) links to its
   entry in the page's reference list (<div class="csl-entry" id="ref-KEY">); this shows that entry in a small
   popover beside the citation, so a reader need not leave the sentence.
   Mouse: hover. Keyboard: focus. Touch: the first tap shows the preview (a second tap on the same citation
   follows the link). Escape, a tap elsewhere, or moving the pointer away hides it (WCAG 1.4.13: the popover
   itself can be hovered without it closing). One delegated set of listeners for the whole page.
   Served from the site itself (the Content Security Policy allows no other script source). */
(function () {
  "use strict";
  var pop = null, owner = null, hideTimer = null, lastPointer = "mouse", shownBeforeTap = false;

  function ensure() {
    if (pop) { return pop; }
    pop = document.createElement("div");
    pop.id = "citation-preview";
    pop.className = "citation-preview";
    pop.setAttribute("role", "tooltip");
    pop.hidden = true;
    pop.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
    pop.addEventListener("mouseleave", function () { if (lastPointer === "mouse") { later(); } });
    document.body.appendChild(pop);
    return pop;
  }

  function citation(node) {
    return node && node.closest ? node.closest("a.citation[data-ref]") : null;
  }

  function entryFor(link) {
    return document.getElementById("ref-" + link.getAttribute("data-ref"));
  }

  function place(link) {
    var r = link.getBoundingClientRect();
    var width = document.documentElement.clientWidth;
    pop.style.maxWidth = Math.min(448, width - 16) + "px";
    var left = Math.max(8, Math.min(r.left, width - pop.offsetWidth - 8));
    var top = r.bottom + 6;
    if (top + pop.offsetHeight > window.innerHeight - 8 && r.top - pop.offsetHeight - 6 > 8) {
      top = r.top - pop.offsetHeight - 6; // no room below: above the citation
    }
    pop.style.left = (window.scrollX + left) + "px";
    pop.style.top = (window.scrollY + top) + "px";
  }

  function show(link) {
    var entry = entryFor(link);
    if (!entry) { return; }
    clearTimeout(hideTimer);
    var p = ensure();
    if (owner !== link) {
      p.innerHTML = "";
      var copy = entry.cloneNode(true);
      copy.removeAttribute("id");
      copy.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
      copy.className = "citation-preview__entry";
      p.appendChild(copy);
      if (owner) { owner.removeAttribute("aria-describedby"); }
    }
    p.hidden = false;
    place(link);
    link.setAttribute("aria-describedby", "citation-preview");
    owner = link;
  }

  function hide() {
    clearTimeout(hideTimer);
    if (pop) { pop.hidden = true; }
    if (owner) { owner.removeAttribute("aria-describedby"); }
    owner = null;
  }

  function later() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, 250);
  }

  function setup() {
    if (document.documentElement.dataset.citationPreviews) { return; }
    document.documentElement.dataset.citationPreviews = "1";
    document.addEventListener("pointerdown", function (e) {
      lastPointer = e.pointerType || "mouse";
      var link = citation(e.target);
      shownBeforeTap = !!link && link === owner && !!pop && !pop.hidden; // before the tap focuses the link
      if (pop && !pop.hidden && !citation(e.target) && !pop.contains(e.target)) { hide(); } // a tap elsewhere
    }, true);
    document.addEventListener("mouseover", function (e) {
      var link = citation(e.target);
      if (link && lastPointer === "mouse") { show(link); }
    });
    document.addEventListener("mouseout", function (e) {
      var link = citation(e.target);
      if (link && link === owner && lastPointer === "mouse" && !link.contains(e.relatedTarget)) { later(); }
    });
    document.addEventListener("focusin", function (e) {
      var link = citation(e.target);
      if (link) { show(link); }
    });
    document.addEventListener("focusout", function (e) {
      var link = citation(e.target);
      if (link && link === owner && lastPointer !== "touch") { later(); }
    });
    document.addEventListener("click", function (e) {
      var link = citation(e.target);
      if (!link || lastPointer !== "touch") { return; }
      if (shownBeforeTap) { return; } // a second tap on the same citation follows the link
      e.preventDefault();
      show(link);
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && pop && !pop.hidden) { hide(); }
    });
    window.addEventListener("resize", function () { if (owner && pop && !pop.hidden) { place(owner); } });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setup); } else { setup(); }
})();
