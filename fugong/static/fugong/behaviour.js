// What the templates ask for with data attributes, so that no page needs inline script or an
// onclick= (the Content-Security-Policy runs neither). One listener each, on the document, so
// they also work on what htmx swaps in:
//   data-confirm="…"      on a submit button or a form: ask first; cancelling stops the submit;
//   data-autosubmit       on a select: choosing an option submits its form;
//   data-select-on-click  on a field: a click selects its text (a link to copy);
//   data-reload-when-done around a background job's card: the page reloads once the job ends
//                         (the card htmx swaps in says so in its data-status).
//   data-opens="ID"       on a button: opens the <dialog id="ID">, copying the button's
//                         data-field-NAME values into the dialog form's fields named NAME; a
//                         select's options with a data-group show only if it equals the
//                         button's data-group (one dialog for every row of a long table);
//   data-closes           on a button inside a dialog: closes it.
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
    var opener = target.closest("[data-opens]");
    if (opener) openDialog(opener);
    var closer = target.closest("dialog [data-closes]");
    if (closer) closer.closest("dialog").close();
  });

  function openDialog(opener) {
    var dialog = document.getElementById(opener.getAttribute("data-opens"));
    if (!dialog || typeof dialog.showModal !== "function") return;
    var form = dialog.querySelector("form"), group = opener.getAttribute("data-group");
    dialog.querySelectorAll("option[data-group]").forEach(function (option) {
      var other = group !== null && option.getAttribute("data-group") !== group;
      option.hidden = other;
      option.disabled = other;
    });
    Array.prototype.forEach.call(opener.attributes, function (attribute) {
      if (attribute.name.indexOf("data-field-") !== 0 || !form) return;
      var input = form.elements.namedItem(attribute.name.slice("data-field-".length));
      if (input) input.value = attribute.value;
    });
    dialog.showModal();
  }

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
