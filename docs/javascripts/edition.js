/* "Cite this paragraph": fills the dialog with the essay's citation, the paragraph number and its link.
   Served from the site itself (the Content Security Policy allows no other script source). */
(function () {
  "use strict";
  function setup() {
    var block = document.getElementById("cite-this");
    var dialog = document.getElementById("cite-dialog");
    if (!block || !dialog || block.dataset.ready) { return; }
    block.dataset.ready = "1";
    var text = document.getElementById("cite-dialog-text");
    var formatted = document.getElementById("cite-formatted");
    var url = block.getAttribute("data-url");
    document.querySelectorAll("button.para-cite").forEach(function (button) {
      button.addEventListener("click", function () {
        var n = button.getAttribute("data-para");
        var citation = formatted.textContent.trim().replace(url, "").replace(/\s*\.?\s*$/, "");
        text.textContent = citation + ", para. " + n + ". " + url + "#p-" + n;
        dialog.showModal();
        document.getElementById("cite-dialog-copy").focus();
      });
    });
    document.getElementById("cite-dialog-close").addEventListener("click", function () { dialog.close(); });
    document.getElementById("cite-dialog-copy").addEventListener("click", function () {
      if (navigator.clipboard) { navigator.clipboard.writeText(text.textContent).catch(function () {}); }
    });
  }
  if (typeof document$ !== "undefined") { document$.subscribe(setup); } else { document.addEventListener("DOMContentLoaded", setup); }
})();
