/* Accessibility layer of the recruiter workspace (issue 17), on every admin page (templates/admin/base_site.html).
 *
 * The admin's autocomplete fields (select2) draw their own combobox next to the hidden <select>, and that
 * combobox has no accessible name while nothing is chosen.  Give it the name of the <select> it stands for: the
 * select's aria-label (set by the admin forms), else the text of its <label>.  Works for inline rows added later
 * too (a MutationObserver), whatever order the admin's own scripts run in.
 *
 * Two more gaps in Django's own admin widgets: the date and time boxes of a split date-time field have no label
 * of their own (they get "<field> date" / "<field> time"), and the filter boxes' help icons carry an aria-label
 * without a role (they become role="img").
 */
(function () {
  "use strict";

  function selectName(select) {
    var own = select.getAttribute("aria-label");
    if (own) { return own; }
    if (select.id) {
      var label = document.querySelector('label[for="' + select.id + '"]');
      if (label) { return label.textContent.trim(); }
    }
    return "";
  }

  function nameWidgets(root) {
    var selects = (root.querySelectorAll ? root : document).querySelectorAll("select.admin-autocomplete");
    Array.prototype.forEach.call(selects, function (select) {
      var container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2")) { return; }
      var name = selectName(select);
      if (!name) { return; }
      Array.prototype.forEach.call(
        container.querySelectorAll('[role="combobox"], [role="textbox"]'),
        function (el) { if (!el.getAttribute("aria-label")) { el.setAttribute("aria-label", name); } }
      );
    });
  }

  function fieldLabel(input) {
    var row = input.closest(".form-row, .fieldBox");
    var label = row && row.querySelector("label");
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }

  function nameDjangoWidgets() {
    Array.prototype.forEach.call(document.querySelectorAll("input.vDateField, input.vTimeField"), function (input) {
      if (input.getAttribute("aria-label") || (input.id && document.querySelector('label[for="' + input.id + '"]'))) {
        return;
      }
      var field = fieldLabel(input);
      if (field) { input.setAttribute("aria-label", field + (input.classList.contains("vDateField") ? " date" : " time")); }
    });
    Array.prototype.forEach.call(document.querySelectorAll("span.help-tooltip[aria-label]:not([role])"), function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  function start() {
    nameWidgets(document);
    nameDjangoWidgets();
    new MutationObserver(function (records) {
      for (var i = 0; i < records.length; i++) {
        if (records[i].addedNodes.length) { nameWidgets(document); nameDjangoWidgets(); return; }
      }
    }).observe(document.body, {childList: true, subtree: true});
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
