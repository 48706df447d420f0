/* Progressive enhancement of the survey form: the later questions appear on the same page and
   conditional questions are shown in place as soon as their earlier answer is chosen.
   Without this script the survey is answered in steps (the server decides what applies). */
(function () {
  "use strict";

  function chosen(form, name) {
    var values = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      if (!input.disabled && (input.checked || input.tagName === "SELECT") && input.value) { values.push(input.value); }
    });
    return values;
  }

  function update(form) {
    form.querySelectorAll("[data-survey-condition]").forEach(function (block) {
      var wanted = block.getAttribute("data-survey-choices").split(" ");
      var source = form.querySelector("#question-" + block.getAttribute("data-survey-condition").slice(1));
      var sourceShown = !source || !source.hidden;
      var show = sourceShown && chosen(form, block.getAttribute("data-survey-condition")).some(function (value) {
        return wanted.indexOf(value) !== -1;
      });
      block.hidden = !show;
      block.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = !show; });
    });
  }

  function enhance(form) {
    var later = form.querySelector("[data-survey-later]");
    if (!later) { return; }
    later.hidden = false;
    later.disabled = false;
    form.querySelector("[data-survey-all-steps]").value = "1";
    var step = document.querySelector("[data-survey-step]");
    if (step && form.querySelector('input[name="step"]').value === "0") { step.hidden = true; }
    var submit = form.querySelector("[data-survey-submit]");
    if (submit) { submit.textContent = submit.getAttribute("data-send-label"); }
    update(form);
    update(form); // a second pass settles chains of conditions
    form.addEventListener("change", function () { update(form); update(form); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-survey-form]").forEach(enhance);
  });
})();
