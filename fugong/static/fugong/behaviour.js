// What the templates ask for with data attributes, so that no page needs inline script or an
// onclick= (the Content-Security-Policy runs neither). One listener each, on the document, so
// they also work on what htmx swaps in:
//   data-confirm="…"      on a submit button or a form: ask first; cancelling stops the submit;
//   data-autosubmit       on a select: choosing an option submits its form;
//   data-select-on-click  on a field: a click selects its text (a link to copy);
//   data-reload-when-done around a background job's card: the page reloads once the job ends
//                         (the card htmx swaps in says so in its data-status).
(function () {
  "use strict";

  function element(target) {
    return target instanceof Element ? target : null;
  }

  document.addEventListener("click", function (event) {
    var target = element(event.target);
    if (!target) return;
    var button = target.closest("button[data-confirm], input[type=submit][data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      return;
    }
    var field = target.closest("[data-select-on-click]");
    if (field && typeof field.select === "function") field.select();
  });

  document.addEventListener("submit", function (event) {
    var form = element(event.target);
    if (form && form.matches("form[data-confirm]") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  document.addEventListener("change", function (event) {
    var select = element(event.target);
    if (!select || !select.matches("select[data-autosubmit]") || !select.form) return;
    if (typeof select.form.requestSubmit === "function") select.form.requestSubmit();
    else select.form.submit();
  });

  // htmx fires afterSwap on the element it put in the page (for an outerHTML swap, the new card).
  document.addEventListener("htmx:afterSwap", function (event) {
    var swapped = element(event.target);
    if (!swapped || !swapped.closest("[data-reload-when-done]")) return;
    var status = swapped.getAttribute("data-status");
    if (status === "succeeded" || status === "failed") window.location.reload();
  });
})();
