// Live running total on the ballot (the server's "Check my ballot" does the same without JavaScript).
(function () {
  "use strict";
  function format(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f"); }
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }
  function update(form) {
    var texts = form.querySelector("#ballot-texts");
    var summary = form.querySelector("[data-ballot-summary]");
    if (!texts || !summary) { return; }
    var boxes = form.querySelectorAll("input[name=proposal]:checked");
    var total = 0;
    boxes.forEach(function (box) { total += parseInt(box.getAttribute("data-cost"), 10) || 0; });
    var cap = form.getAttribute("data-cap");
    if (cap === "") {
      summary.textContent = fill(texts.getAttribute("data-count"), {count: boxes.length});
      return;
    }
    cap = parseInt(cap, 10);
    var values = {total: format(total), cap: format(cap), left: format(cap - total), over: format(total - cap)};
    summary.textContent = fill(texts.getAttribute(total > cap ? "data-over" : "data-fits"), values);
    summary.classList.toggle("ballot__over", total > cap);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.ballot").forEach(function (form) {
      form.addEventListener("change", function () { update(form); });
    });
  });
})();
