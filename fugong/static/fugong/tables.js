// Each table cell learns its column's name, which the phone layout shows above the value
// (app.css: tables become cards under 600 px). Again after htmx swaps in new rows.
(function () {
  function label(root) {
    root.querySelectorAll(".table-wrap").forEach(function (wrap) {
      // A table wider than the screen scrolls: keyboard users must be able to reach it too.
      if (wrap.scrollWidth > wrap.clientWidth && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        var around = wrap.closest("section, main");
        var caption = around && around.querySelector("h1, h2");
        if (caption) wrap.setAttribute("aria-label", caption.textContent.trim());
      }
    });
    root.querySelectorAll(".table-wrap table").forEach(function (table) {
      var names = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr, tfoot tr").forEach(function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          // A cell across the whole row ("nothing yet") belongs to no column.
          var whole = cell.colSpan > 1 && cell.colSpan >= names.length;
          if (names[column] && !whole && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", names[column]);
          column += cell.colSpan || 1;
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { label(document); });
  document.addEventListener("htmx:afterSwap", function (event) { label(event.target.closest(".table-wrap") || document); });
})();
