/* "Cite this paragraph": the dialog shows the paragraph's citation, made at build time (a template in the page
   with {n} for the paragraph number), and Copy puts its text on the clipboard and says so.
   Served from the site itself (the Content Security Policy allows no other script source). */
(function () {
  "use strict";
  function copyText(node) {
    var text = node.textContent.replace(/\s+/g, " ").trim();
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, function () { return selectAndCopy(node); });
    }
    return Promise.resolve(selectAndCopy(node));
  }
  function selectAndCopy(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try { return document.execCommand("copy"); } catch (e) { return false; }
  }
  function setup() {
    var block = document.getElementById("cite-this");
    var dialog = document.getElementById("cite-dialog");
    var template = document.getElementById("cite-paragraph-template");
    if (!block || !dialog || !template || block.dataset.ready) { return; }
    block.dataset.ready = "1";
    var text = document.getElementById("cite-dialog-text");
    var status = document.getElementById("cite-dialog-status");
    var copy = document.getElementById("cite-dialog-copy");
    document.querySelectorAll("button.para-cite").forEach(function (button) {
      button.addEventListener("click", function () {
        var n = button.getAttribute("data-para");
        if (!/^\d+$/.test(n)) { return; }
        text.innerHTML = template.innerHTML.split("{n}").join(n);
        status.textContent = "";
        copy.textContent = "Copy";
        dialog.showModal();
        copy.focus();
      });
    });
    document.getElementById("cite-dialog-close").addEventListener("click", function () { dialog.close(); });
    copy.addEventListener("click", function () {
      copyText(text).then(function (done) {
        status.textContent = done ? "Copied to the clipboard." : "Could not copy: select the citation and copy it.";
        if (done) { copy.textContent = "Copied"; }
      });
    });
  }
  if (typeof document$ !== "undefined") { document$.subscribe(setup); } else { document.addEventListener("DOMContentLoaded", setup); }
})();
