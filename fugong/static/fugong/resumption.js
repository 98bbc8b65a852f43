// The resumption index page: each county's index over time, and industries by county.
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function draw(el, option) {
    var chart = window.echarts.init(el);
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) return;
    var line = document.querySelector("[data-line]");
    var series = data("index-series");
    if (line && series) {
      draw(line, {
        tooltip: { trigger: "axis" },
        legend: { type: "scroll" },
        grid: { left: 40, right: 10, bottom: 30, top: 40 },
        xAxis: { type: "category", data: series.days },
        yAxis: { type: "value", min: 0, max: 100 },
        series: series.series.map(function (s) {
          return { name: s.name, type: "line", data: s.data, showSymbol: false };
        })
      });
    }
    var heat = document.querySelector("[data-heatmap]");
    var cells = data("index-heatmap");
    if (heat && cells && cells.cells) {
      draw(heat, {
        tooltip: {},
        grid: { left: 110, right: 10, bottom: 60, top: 10 },
        xAxis: { type: "category", data: cells.counties, axisLabel: { rotate: 30 } },
        yAxis: { type: "category", data: cells.industries },
        visualMap: { min: 0, max: 100, orient: "horizontal", left: "center", bottom: 0, calculable: true },
        series: [{ type: "heatmap", data: cells.cells, label: { show: true } }]
      });
    }
  });
})();
