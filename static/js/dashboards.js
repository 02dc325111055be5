/* Dashboard charts (ECharts from static/vendor) and the sortable child-region table. */
(function () {
  "use strict";
  var dataNode = document.getElementById("dashboard-data");
  if (!dataNode) return;
  var data = JSON.parse(dataNode.textContent);
  var narrow = window.matchMedia("(max-width: 576px)").matches;
  var charts = [];

  function chart(id, option) {
    var node = document.getElementById(id);
    if (!node || typeof echarts === "undefined") return;
    // Tooltips drawn on the canvas: the HTML ones carry inline style attributes, which the
    // Content-Security-Policy refuses.
    if (option.tooltip) option.tooltip.renderMode = "richText";
    var c = echarts.init(node, null, { renderer: "canvas" });
    c.setOption(option);
    charts.push(c);
  }
  function pct(v) { return v === null || v === undefined ? "—" : v.toFixed(2) + "%"; }
  var targetLine = {
    silent: true, symbol: "none",
    lineStyle: { color: "#dc3545", type: "dashed", width: 2 },
    label: { formatter: data.target + "%", position: "end", color: "#dc3545" },
    data: [{ yAxis: data.target }]
  };
  function rateMin(values) {
    var min = Math.min.apply(null, values.filter(function (v) { return v !== null; }).concat([data.target]));
    return Math.max(0, Math.floor((min - 5) / 5) * 5);
  }
  function rateAxis(values, extra) {
    var min = rateMin(values);
    var axis = { type: "value", min: min, max: 100, interval: (100 - min) / 5, axisLabel: { formatter: function (v) { return Math.round(v) + "%"; } } };
    for (var k in extra) axis[k] = extra[k];
    return axis;
  }

  if (data.children.length) {
    var names = data.children.map(function (c) { return c.name; });
    var rates = data.children.map(function (c) { return c.rate; });
    chart("chart-children", {
      grid: { left: 44, right: 36, top: 28, bottom: narrow ? 70 : 50 },
      tooltip: { trigger: "axis", valueFormatter: pct },
      legend: { data: ["在册口径", "常住口径"], top: 0 },
      xAxis: { type: "category", data: names, axisLabel: { rotate: names.length > 6 || narrow ? 40 : 0, interval: 0 } },
      yAxis: rateAxis(rates.concat(data.children.map(function (c) { return c.official; }))),
      series: [
        // One colour per series, so that the legend shows the colour of its bars; whether a
        // region meets the target is read against the red target line.
        { name: "在册口径", type: "bar", barMaxWidth: 40, data: rates, markLine: targetLine,
          itemStyle: { color: "#0d6efd" } },
        { name: "常住口径", type: "bar", barMaxWidth: 40, data: data.children.map(function (c) { return c.official; }),
          itemStyle: { color: "#20c997" } }
      ]
    });
  }

  chart("chart-years", {
    grid: { left: 44, right: 36, top: 20, bottom: 30 },
    tooltip: { trigger: "axis", valueFormatter: pct },
    xAxis: { type: "category", data: data.by_year.map(function (y) { return y.year + "年"; }) },
    yAxis: rateAxis(data.by_year.map(function (y) { return y.rate; })),
    series: [{ type: "line", data: data.by_year.map(function (y) { return y.rate; }), markLine: targetLine,
               label: { show: true, formatter: function (p) { return pct(p.value); } }, symbolSize: 8 }]
  });

  var d = data.daily;
  chart("chart-daily", {
    grid: { left: 56, right: 16, top: 30, bottom: 30 },
    tooltip: { trigger: "axis" },
    legend: { data: [d.this_year + "年度", d.last_year + "年度"], top: 0 },
    xAxis: { type: "category", data: d.labels, boundaryGap: false },
    yAxis: { type: "value" },
    series: [
      { name: d.this_year + "年度", type: "line", data: d.this, showSymbol: false, lineStyle: { width: 3 }, areaStyle: { opacity: 0.08 } },
      { name: d.last_year + "年度", type: "line", data: d.last, showSymbol: false, lineStyle: { type: "dashed" }, itemStyle: { color: "#adb5bd" } }
    ]
  });

  // The funnel as ordered bars: registry stages (blue) then the outreach ledger stages
  // (green), which are far smaller; a funnel shape would squash them to nothing.
  var funnelNode = document.getElementById("chart-funnel");
  if (funnelNode) funnelNode.style.height = Math.max(200, data.funnel.length * 34 + 40) + "px";
  chart("chart-funnel", {
    grid: { left: narrow ? 110 : 140, right: 70, top: 10, bottom: 10 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "value", show: false },
    yAxis: { type: "category", inverse: true, data: data.funnel.map(function (s) { return s.name; }),
             axisLabel: { width: narrow ? 100 : 130, overflow: "truncate" } },
    series: [{ type: "bar", barMaxWidth: 24, data: data.funnel.map(function (s, i) {
                 return { value: s.value, itemStyle: { color: i < 3 ? "#5470c6" : "#20c997" } }; }),
               label: { show: true, position: "right" } }]
  });

  function ranking(id, rows, perRow) {
    var node = document.getElementById(id);
    // Long names wrap onto a second or third line (never cut off): room for them.
    if (node) node.style.height = Math.max(140, rows.length * (perRow || 30) + 50) + "px";
    chart(id, {
      grid: { left: narrow ? 110 : 160, right: 50, top: 10, bottom: 24 },
      tooltip: { trigger: "axis", valueFormatter: pct },
      xAxis: rateAxis(rows.map(function (r) { return r.rate; })),
      yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.name; }),
               axisLabel: { width: narrow ? 100 : 150, overflow: "break", lineHeight: 14 } },
      series: [{ type: "bar", barMaxWidth: 22, data: rows.map(function (r) { return r.rate; }),
                 label: { show: true, position: "right", formatter: function (p) { return pct(p.value); } },
                 markLine: { silent: true, symbol: "none", label: { show: false }, lineStyle: { color: "#dc3545", type: "dashed" }, data: [{ xAxis: data.target }] },
                 itemStyle: { color: function (p) { return p.value >= data.target ? "#198754" : "#fd7e14"; } } }]
    });
  }
  ranking("chart-townships", data.townships);
  ranking("chart-grid-workers", data.grid_workers, 46);

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  // Sortable table: click a header to sort by its column (numbers by data-value).
  var table = document.getElementById("child-table");
  if (table) {
    table.querySelectorAll("th[data-sort]").forEach(function (th, index) {
      th.addEventListener("click", function () {
        var asc = !th.classList.contains("sorted-asc");
        table.querySelectorAll("th").forEach(function (h) { h.classList.remove("sorted-asc", "sorted-desc"); });
        th.classList.add(asc ? "sorted-asc" : "sorted-desc");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var numeric = th.dataset.sort === "num";
        rows.sort(function (a, b) {
          var x = a.cells[index].dataset.value, y = b.cells[index].dataset.value;
          var r = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y, "zh-CN");
          return asc ? r : -r;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }
})();

// The year picker submits on change (no inline handler: the CSP allows scripts from files only).
document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
