// The resumption index page: each county's index over time, and industries by county.
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // Tooltips drawn on the canvas: ECharts' HTML tooltips are built with style attributes, which
  // the Content-Security-Policy does not apply.
  function draw(el, option) {
    option.tooltip = Object.assign({ renderMode: "richText" }, option.tooltip);
    var chart = window.echarts.init(el);
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  // A tap or click on the line chart opens the page on that day (the day under the pointer, the
  // one the tooltip shows), so a leader goes from the trend to that day's ranking.
  function linkDays(chart, el, days) {
    chart.getZr().on("click", function (event) {
      var point = [event.offsetX, event.offsetY];
      if (!chart.containPixel("grid", point)) return;
      var day = days[Math.round(chart.convertFromPixel({ xAxisIndex: 0 }, point[0]))];
      if (day && day !== el.dataset.day) window.location.href = el.dataset.dayUrl + day;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) return;
    var line = document.querySelector("[data-line]");
    var series = data("index-series");
    if (line && series) {
      var chart = draw(line, {
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", top: 0 },
        grid: { left: 40, right: 10, bottom: 30, top: 40 },
        xAxis: { type: "category", data: series.days },
        // An index passes 100 when enterprises use more than their baseline.
        yAxis: { type: "value", min: 0, max: function (v) { return Math.max(100, Math.ceil(v.max / 10) * 10); } },
        series: series.series.map(function (s, i) {
          var shown = { name: s.name, type: "line", data: s.data, showSymbol: false };
          if (i === 0 && line.dataset.day) {  // the day the page shows, marked across the chart
            shown.markLine = { silent: true, symbol: "none", label: { show: false }, data: [{ xAxis: line.dataset.day }] };
          }
          return shown;
        })
      });
      linkDays(chart, line, series.days);
    }
    var heat = document.querySelector("[data-heatmap]");
    var cells = data("index-heatmap");
    if (heat && cells && cells.cells) {
      // Colours from the lowest cell (rounded down to ten) to 100: late in the reopening the
      // differences that matter are between 85 and 100, not between 0 and 100.
      var values = cells.cells.map(function (c) { return c[2]; });
      var low = Math.min(90, Math.floor(Math.min.apply(null, values) / 10) * 10);
      var high = Math.max(100, Math.ceil(Math.max.apply(null, values)));
      // On a phone the industry names are cut short, the colour key lies under the map and the
      // cells show whole numbers: nine counties' "98.12" side by side would print over each other.
      var narrow = heat.clientWidth < 600;
      draw(heat, {
        tooltip: {},
        grid: narrow ? { left: 84, right: 8, bottom: 130, top: 10 } : { left: 110, right: 70, bottom: 60, top: 10 },
        xAxis: { type: "category", data: cells.counties, axisLabel: { rotate: 30, interval: 0 } },
        yAxis: { type: "category", data: cells.industries, axisLabel: narrow ? { width: 76, overflow: "truncate" } : {} },
        visualMap: {
          min: low, max: high, calculable: true, inRange: { color: ["#d73027", "#fee08b", "#1a9850"] },
          orient: narrow ? "horizontal" : "vertical",
          left: narrow ? "center" : undefined, right: narrow ? undefined : 0,
          top: narrow ? undefined : "middle", bottom: narrow ? 0 : undefined
        },
        series: [{
          type: "heatmap", data: cells.cells,
          label: narrow
            ? { show: true, fontSize: 10, formatter: function (p) { return Math.round(p.value[2]); } }
            : { show: true }
        }]
      });
    }
  });
})();
