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
    // A strip plot: each reviewer a column, their totals before (left) and after (right).
    var r = data.reviewers, before = [], after = [];
    r.names.forEach(function (_name, i) {
      r.before[i].forEach(function (v) { before.push({ x: i - 0.15, y: v }); });
      r.after[i].forEach(function (v) { after.push({ x: i + 0.15, y: v }); });
    });
    draw("chart-reviewers", { type: "scatter", data: { datasets: [
        { label: r.beforeLabel, data: before, backgroundColor: "#b35900", borderColor: "#b35900", pointStyle: "triangle", pointRadius: 5 },
        { label: r.afterLabel, data: after, backgroundColor: "#0a4fa8", borderColor: "#0a4fa8", pointRadius: 5 }] },
      options: { maintainAspectRatio: false, scales: {
        x: { min: -0.5, max: r.names.length - 0.5, ticks: { stepSize: 1, callback: function (v) { return r.names[v] || ""; } } },
        y: { min: 0, max: 100 } } } });
  }
  if (data.budget) {
    draw("chart-budget", { type: "bar", data: { labels: data.budget.labels, datasets: coloured(data.budget.datasets, { maxBarThickness: 48 }) },
      options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return "¥" + v.toLocaleString(); } } } } } });
  }
})();
