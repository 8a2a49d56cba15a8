// Bulk work on a list (templates/_bulk.html): "select all on this page" and the count of the selection.
// Without JavaScript each checkbox still works and the confirmation page gives the count.
(function () {
  "use strict";
  function boxes(form) {
    return Array.prototype.slice.call(
      document.querySelectorAll('input[type="checkbox"][name="target"][form="' + form.id + '"]')
    );
  }
  function count(form) {
    var chosen = boxes(form).filter(function (box) { return box.checked; }).length;
    var shown = form.querySelector("[data-bulk-count]");
    if (shown) { shown.textContent = String(chosen); }
    var all = document.querySelectorAll("[data-bulk-all]");
    all.forEach(function (box) {
      box.checked = chosen > 0 && chosen === boxes(form).length;
      box.indeterminate = chosen > 0 && chosen < boxes(form).length;
    });
  }
  function start() {
    var form = document.querySelector("form[data-bulk]");
    if (!form) { return; }
    document.addEventListener("change", function (event) {
      var target = event.target;
      if (target.matches && target.matches("[data-bulk-all]")) {
        boxes(form).forEach(function (box) { box.checked = target.checked; });
      }
      count(form);
    });
    count(form);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
