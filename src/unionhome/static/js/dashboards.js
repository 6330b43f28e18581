// Dashboard charts: each chart is drawn from its own table (the same numbers), so the table
// is the source of truth and stays readable without JavaScript. A button switches views.
(function () {
  "use strict";

  function readTable(table) {
    var columns = Array.prototype.map.call(table.tHead.rows[0].cells, function (c) { return c.textContent.trim(); });
    var rows = Array.prototype.map.call(table.tBodies[0].rows, function (r) {
      return Array.prototype.map.call(r.cells, function (c, i) {
        var text = c.textContent.trim();
        return i === 0 ? text : Number(text);
      });
    }).filter(function (r) { return r.length === columns.length; });
    return { columns: columns, rows: rows };
  }

  function option(kind, data) {
    var categories = data.rows.map(function (r) { return r[0]; });
    var series = data.columns.slice(1).map(function (name, i) {
      return { name: name, type: kind, data: data.rows.map(function (r) { return r[i + 1]; }) };
    });
    return {
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: "category", data: categories, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1 },
      series: series,
    };
  }

  function setup(section) {
    var table = section.querySelector(".chart-table");
    var canvas = section.querySelector(".chart-canvas");
    var toggle = section.querySelector(".chart-toggle");
    if (!window.echarts || !table || !canvas || !toggle) return;
    var data = readTable(table.querySelector("table"));
    if (!data.rows.length) return;
    var chart = null;
    function show(asChart) {
      canvas.hidden = !asChart;
      table.hidden = asChart;
      toggle.textContent = asChart ? toggle.dataset.showTable : toggle.dataset.showChart;
      toggle.setAttribute("aria-pressed", asChart ? "false" : "true");
      if (asChart) {
        if (!chart) {
          chart = window.echarts.init(canvas);
          chart.setOption(option(section.dataset.kind, data));
        }
        chart.resize();
      }
    }
    toggle.hidden = false;
    toggle.addEventListener("click", function () { show(canvas.hidden); });
    window.addEventListener("resize", function () { if (chart) chart.resize(); });
    show(true);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var period = document.getElementById("period");
    if (period) period.addEventListener("change", function () { period.form.submit(); });
    document.querySelectorAll("section.chart").forEach(setup);
  });
})();
