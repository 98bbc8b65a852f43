// Screening pages: the result screen's running clock (a screenshot does not tick), the
// "registering someone else" switch on the visitor's form, and the venue page's chart.
(function () {
  "use strict";

  function pad(n) { return String(n).padStart(2, "0"); }

  function tick() {
    var now = new Date();
    var text = pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds());
    document.querySelectorAll("[data-clock]").forEach(function (el) { el.textContent = text; });
  }

  function companionSwitch() {
    var box = document.querySelector(".companion-toggle input[type=checkbox]");
    var fields = document.querySelector("[data-companion]");
    if (!box || !fields) return;
    var sync = function () { fields.hidden = !box.checked; };
    box.addEventListener("change", sync);
    sync();
  }

  function charts() {
    if (!window.echarts) return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var data = JSON.parse(el.getAttribute("data-chart"));
      var colours = { admit: "#1a7f37", refer: "#b7791f", refuse: "#c62828" };
      var chart = window.echarts.init(el);
      chart.setOption({
        // Drawn on the canvas: ECharts' HTML tooltips carry style attributes the CSP refuses.
        tooltip: { trigger: "axis", renderMode: "richText" },
        legend: { top: 0 },  // ECharts 6 puts it at the bottom, over the dates
        grid: { left: 40, right: 10, bottom: 30, top: 40 },
        xAxis: { type: "category", data: data.days },
        yAxis: { type: "value", minInterval: 1 },
        series: data.series.map(function (s) {
          return { name: s.name, type: "bar", stack: "all", data: s.data, itemStyle: { color: colours[s.key] } };
        })
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 1000);
    companionSwitch();
    charts();
  });
})();
