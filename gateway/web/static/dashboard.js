/* The dashboard's charts, drawn with chart.js (served locally) from the JSON the
   page carries in #dashboard-data; each chart has a table with the same numbers. */
(function () {
  "use strict";
  var blob = document.getElementById("dashboard-data");
  if (!blob || !window.Chart) { return; }
  var data = JSON.parse(blob.textContent);
  // Colours with at least 3:1 contrast against white (WCAG 1.4.11, graphics).
  var STATE_COLOURS = { submitted: "#0a4fa8", returned: "#b35900", college_approved: "#6f42c1",
                        approved: "#116329", rejected: "#a40e26", withdrawn: "#57606a", draft: "#8c6d00" };
  var PALETTE = ["#0a4fa8", "#b35900", "#116329", "#a40e26", "#6f42c1", "#57606a"];
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#1f2328";
  Chart.defaults.animation = false;   // printing and screenshots show the final chart

  function colour(ds, i) { return STATE_COLOURS[ds.state] || PALETTE[i % PALETTE.length]; }
  function coloured(datasets, extra) {
    return datasets.map(function (ds, i) {
      var c = colour(ds, i);
      return Object.assign({ label: ds.label, data: ds.data, backgroundColor: c, borderColor: c }, extra || {});
    });
  }
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { new Chart(canvas, Object.assign({ options: {} }, config)); }
  }

  if (data.byCollege) {
    draw("chart-college", { type: "bar", data: { labels: data.byCollege.labels, datasets: coloured(data.byCollege.datasets, { maxBarThickness: 64 }) },
      options: { maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } } });
  }
  if (data.overTime) {
    draw("chart-time", { type: "line", data: { labels: data.overTime.labels, datasets: coloured(data.overTime.datasets, { fill: false, tension: 0 }) },
      options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } });
  }
  if (data.reviewers) {
    // A box per reviewer, before (left) and after (right) normalisation: a thin bar
    // from the lowest to the highest total, the box between the quartiles and a line
    // at the median ([min, q1, median, q3, max] each, as the table lists them).
    var r = data.reviewers;
    var boxes = function (rows, label, colour, stack) {
      var pick = function (lo, hi) { return rows.map(function (b) { return b[0] === null ? null : [b[lo], b[hi]]; }); };
      var median = rows.map(function (b) { return b[0] === null ? null : [b[2] - 0.4, b[2] + 0.4]; });
      return [
        { label: label + " " + r.rangeLabel, data: pick(0, 4), stack: stack, barPercentage: 0.12, backgroundColor: colour, box: "range" },
        { label: label, data: pick(1, 3), stack: stack, barPercentage: 0.8, backgroundColor: colour + "99", borderColor: colour, borderWidth: 2, borderSkipped: false, box: "middle" },
        { label: label + " " + r.medianLabel, data: median, stack: stack, barPercentage: 0.8, backgroundColor: "#1f2328", box: "median" }];
    };
    draw("chart-reviewers", { type: "bar", data: { labels: r.names,
        datasets: boxes(r.before, r.beforeLabel, "#b35900", "before").concat(boxes(r.after, r.afterLabel, "#0a4fa8", "after")) },
      options: { maintainAspectRatio: false,
        plugins: { legend: { labels: { filter: function (item, chart) { return chart.datasets[item.datasetIndex].box === "middle"; } } } },
        scales: { y: { stacked: false, min: 0, max: 100 } } } });
  }
  if (data.budget) {
    draw("chart-budget", { type: "bar", data: { labels: data.budget.labels, datasets: coloured(data.budget.datasets, { maxBarThickness: 48 }) },
      options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return "¥" + v.toLocaleString(); } } } } } });
  }
})();
