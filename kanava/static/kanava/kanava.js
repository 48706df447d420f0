/* Kanava: optional progressive enhancement. Every page works without this file.
 * - moves focus to an error summary so keyboard and screen-reader users hear it;
 * - live per-channel character counters (the server renders the same counts);
 * Texts come from the server-rendered markup, so nothing here needs translating.
 */
(function () {
  "use strict";

  function focusErrorSummary(root) {
    var summary = (root || document).querySelector("[data-kanava-error-summary]");
    if (summary && typeof summary.focus === "function") {
      summary.focus();
    }
  }

  /* <p class="counter" data-counter-for="id_body" data-counter-max="280">
   *   <span class="counter__channel">Mastodon</span>
   *   <span class="counter__value"><span data-counter-count>12</span> / 280</span>
   *   <span class="counter__over" hidden>over the limit</span></p>
   * Counts Unicode code points; channels with their own counting rules should
   * refresh their counter from the server (htmx) and leave out data-counter-for. */
  function length(text) {
    return Array.from(text).length;
  }

  function updateCounter(counter, field) {
    var max = parseInt(counter.getAttribute("data-counter-max"), 10);
    var n = length(field.value);
    var out = counter.querySelector("[data-counter-count]");
    if (out) {
      out.textContent = String(n);
    }
    var over = !isNaN(max) && n > max;
    counter.classList.toggle("counter--over", over);
    var overText = counter.querySelector(".counter__over");
    if (overText) {
      overText.hidden = !over;
    }
  }

  function initCounters(root) {
    var counters = (root || document).querySelectorAll(".counter[data-counter-for]");
    Array.prototype.forEach.call(counters, function (counter) {
      if (counter.getAttribute("data-counter-ready")) {
        return;
      }
      var field = document.getElementById(counter.getAttribute("data-counter-for"));
      if (!field) {
        return;
      }
      counter.setAttribute("data-counter-ready", "1");
      field.addEventListener("input", function () {
        updateCounter(counter, field);
      });
      updateCounter(counter, field);
    });
  }

  function init(root) {
    initCounters(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    focusErrorSummary(document);
  });

  /* After htmx swaps new content in. */
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.elt ? event.detail.elt : document;
    init(target.parentNode || document);
    if (target.querySelector && target.querySelector("[data-kanava-error-summary]")) {
      focusErrorSummary(target);
    }
  });
})();
