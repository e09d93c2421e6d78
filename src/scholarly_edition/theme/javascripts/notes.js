/* The editors' notes beside the essay (markup from src/scholarly_edition/notes.py, layout in notes.css).

   Each note (aside.editorial-note#note-N) is moved next to its marker (sup#note-ref-N) in the essay's text.
   Wide screens (notes.css makes the notes position: absolute): the notes stand in the right margin, each at
   the height of its marker where there is room; an opened note is shown whole, level with its marker, and
   the others move up or down around it. Narrow screens: the notes are hidden and a marker opens its note in
   place, below the line it is on (mouse, Enter or Space on the focused marker, a tap); the close button,
   the marker again or Escape closes it. "Read the essay alone" hides every note and marker; the choice is
   remembered in this browser (the head script of notes.py applies it before the first paint). Without
   scripts the notes stay after their paragraphs, marked links. */
(function () {
  "use strict";
  var STORE = "edition-notes-hidden";
  var GAP = 12;

  function setup() {
    var notes = Array.prototype.slice.call(document.querySelectorAll("aside.editorial-note[data-note]"));
    if (!notes.length) { return; }
    var article = notes[0].closest("article") || document.body;
    if (article.dataset.notesReady) { return; }
    article.dataset.notesReady = "1";
    var root = document.documentElement;
    // before the first paint, the head script (notes.HEAD_SCRIPT) sets html.notes-js and the build marks the
    // article .has-editorial-notes (notes.mark_article)

    var items = [];
    notes.forEach(function (note) {
      var n = note.getAttribute("data-note");
      var ref = document.getElementById("note-ref-" + n);
      var link = ref && ref.querySelector("a");
      if (!link) { return; }
      ref.parentNode.insertBefore(note, ref.nextSibling);  // in place: right after its marker
      link.setAttribute("role", "button");
      link.setAttribute("aria-controls", note.id);
      link.setAttribute("aria-expanded", "false");
      var close = document.createElement("button");
      close.type = "button";
      close.className = "editorial-note__close";
      close.setAttribute("aria-label", "Close editors\u2019 note " + n);
      close.textContent = "\u00d7";
      note.insertBefore(close, note.firstChild);
      var item = { n: n, note: note, ref: ref, link: link, noted: document.getElementById("noted-" + n) };
      items.push(item);
      link.addEventListener("click", function (e) { e.preventDefault(); toggle(item); });
      link.addEventListener("keydown", function (e) {
        if (e.key === " " || e.key === "Spacebar") { e.preventDefault(); toggle(item); }
      });
      close.addEventListener("click", function () { setOpen(item, false); link.focus(); });
      // in the margin a folded note opens when it is clicked or when a link in it gets the focus
      note.addEventListener("click", function (e) {
        if (inMargin() && !item.open && !e.target.closest("a, button")) { setOpen(item, true); }
      });
      note.addEventListener("focusin", function () { if (inMargin() && !item.open) { setOpen(item, true); } });
    });
    if (!items.length) { return; }

    // the breakpoint of notes.css; a media query, not the note's computed style, which would make the browser
    // lay the page out before its first paint
    var wide = window.matchMedia("screen and (min-width: 60em)");
    function inMargin() { return wide.matches; }

    function setOpen(item, open) {
      if (open && inMargin()) { items.forEach(function (other) { if (other !== item) { mark(other, false); } }); }
      mark(item, open);
      layout();
    }
    function mark(item, open) {
      item.open = open;
      item.note.classList.toggle("is-open", open);
      item.link.setAttribute("aria-expanded", open ? "true" : "false");
      if (item.noted) { item.noted.classList.toggle("is-active", open); }
    }
    function toggle(item) { setOpen(item, !item.open); }

    // Margin layout: the opened note (or else the first) at its marker's height, the others stacked
    // after and before it without overlapping.
    function layout() {
      if (!inMargin() || root.classList.contains("notes-hidden")) {
        items.forEach(function (item) { item.note.style.top = ""; });
        return;
      }
      var base = article.getBoundingClientRect().top;
      var wanted = items.map(function (item) { return item.ref.getBoundingClientRect().top - base - 2; });
      var heights = items.map(function (item) { return item.note.offsetHeight; });
      var tops = wanted.slice();
      var opened = items.findIndex(function (item) { return item.open; });
      var start = Math.max(0, opened);
      if (opened < 0) {  // folded notes stand below a block set in the margin (.marginal, notes.css); an opened
        // note stands at its marker, and the notes before it may cover the block while it is open
        article.querySelectorAll(".marginal").forEach(function (block) {
          tops[0] = Math.max(tops[0], block.getBoundingClientRect().bottom - base + GAP);
        });
      }
      for (var k = start + 1; k < items.length; k++) { tops[k] = Math.max(wanted[k], tops[k - 1] + heights[k - 1] + GAP); }
      for (k = start - 1; k >= 0; k--) { tops[k] = Math.min(wanted[k], tops[k + 1] - heights[k] - GAP); }
      items.forEach(function (item, i) { item.note.style.top = Math.round(tops[i]) + "px"; });
      root.classList.add("notes-placed");  // notes.css shows the margin notes once they stand at their markers
    }

    // "Read the essay alone"
    var button = article.querySelector(".notes-toggle button");  // written by the build (notes.add_switch)
    function hideAll(hidden) {
      root.classList.toggle("notes-hidden", hidden);
      button.setAttribute("aria-pressed", hidden ? "true" : "false");
      button.textContent = hidden ? "Show the editors\u2019 notes" : "Read the essay alone";
      try { if (hidden) { localStorage.setItem(STORE, "1"); } else { localStorage.removeItem(STORE); } } catch (err) { /* private mode */ }
      layout();
    }
    button.addEventListener("click", function () { hideAll(!root.classList.contains("notes-hidden")); });
    var remembered = false;
    try { remembered = localStorage.getItem(STORE) === "1"; } catch (err) { /* private mode */ }
    hideAll(remembered);

    // A link to #note-N (the permalink, a citation of the note) opens it beside its marker.
    function fromHash() {
      var match = /^#note-(\d+)$/.exec(location.hash);
      var item = match && items.filter(function (it) { return it.n === match[1]; })[0];
      if (!item) { return; }
      if (root.classList.contains("notes-hidden")) { hideAll(false); }
      setOpen(item, true);
      (inMargin() ? item.ref : item.note).scrollIntoView({ block: "center" });
    }
    window.addEventListener("hashchange", fromHash);
    document.addEventListener("keydown", function (e) {
      if (e.key !== "Escape") { return; }
      var inside = items.filter(function (item) { return item.open && item.note.contains(document.activeElement); })[0];
      var target = inside || items.filter(function (item) { return item.open && item.link === document.activeElement; })[0];
      if (target) { setOpen(target, false); target.link.focus(); }
    });
    var pending = false;
    function later() {
      if (pending) { return; }
      pending = true;
      requestAnimationFrame(function () { pending = false; layout(); });
    }
    window.addEventListener("resize", later);
    if (wide.addEventListener) { wide.addEventListener("change", later); }
    if (window.ResizeObserver) { new ResizeObserver(later).observe(article); }
    if (document.fonts && document.fonts.ready) { document.fonts.ready.then(later); }
    layout();
    fromHash();
  }

  if (typeof document$ !== "undefined") { document$.subscribe(setup); } else { document.addEventListener("DOMContentLoaded", setup); }
})();
