/* The shortlist's keyboard: j / k move to the next / previous candidate row, x ticks it, c compares the ticked
   candidates (2–4), Enter opens the focused candidate.  Keys are ignored while typing in a field. */
(function () {
  "use strict";
  var ROWS = '.ws-shortlist tbody tr[id^="candidate-"]';
  function rows() { return Array.prototype.slice.call(document.querySelectorAll(ROWS)); }
  function current() { return document.querySelector(".ws-shortlist tr.ws-row--focus"); }
  function focusRow(row) {
    var old = current();
    if (old) { old.classList.remove("ws-row--focus"); }
    if (!row) { return; }
    row.classList.add("ws-row--focus");
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }
  function move(step) {
    var all = rows();
    if (!all.length) { return; }
    var index = all.indexOf(current());
    var next = index < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(Math.max(index + step, 0), all.length - 1);
    focusRow(all[next]);
  }
  function compare() {
    var button = document.getElementById("ws-compare");
    if (!button) { return; }
    var ids = Array.prototype.map.call(
      document.querySelectorAll(ROWS + ' input[name="candidate_ids"]:checked'), function (box) { return box.value; });
    var url = button.getAttribute("data-url") + "?" + ids.map(function (id) { return "candidate_ids=" + encodeURIComponent(id); }).join("&");
    window.location.assign(url);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("ws-compare");
    if (button) {
      button.setAttribute("data-url", button.getAttribute("formaction"));
      button.addEventListener("click", function (event) { event.preventDefault(); compare(); });
    }
    rows().forEach(function (row) {
      row.setAttribute("tabindex", "-1");
      row.addEventListener("click", function () { focusRow(row); });
    });
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) && target.type !== "checkbox")) { return; }
    if (event.key === "j") { move(1); event.preventDefault(); }
    else if (event.key === "k") { move(-1); event.preventDefault(); }
    else if (event.key === "x") {
      var row = current();
      var box = row && row.querySelector('input[name="candidate_ids"]');
      if (box) { box.checked = !box.checked; event.preventDefault(); }
    } else if (event.key === "c") { compare(); event.preventDefault(); }
    else if (event.key === "Enter" && target && target.classList && target.classList.contains("ws-row--focus")) {
      var link = target.querySelector("a.ws-name");
      if (link) { window.location.assign(link.href); }
    }
  });
})();
