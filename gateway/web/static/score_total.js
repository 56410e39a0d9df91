/* The running total of a score sheet as the reviewer types (score_sheet.html).
 *
 * Each scored cell carries its indicator's share of the total (data-share, percent)
 * and its scale (data-kind: range with data-min/data-max, or pass_fail); the total
 * is the sum of share x the score's place on its scale, as the scoring service
 * counts it. It is only a guide: what is saved is totalled by the server, and a
 * score outside its scale counts for nothing here until it is corrected.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-score-sheet]");
  var out = document.getElementById("running-total");
  if (!form || !out) { return; }

  function part(cell) {
    var field = cell.querySelector("input, select");
    if (!field || field.value === "") { return null; }
    var share = parseFloat(cell.getAttribute("data-share"));
    if (cell.getAttribute("data-kind") === "pass_fail") {
      return field.value === "pass" ? share : 0;
    }
    var min = parseFloat(cell.getAttribute("data-min")), max = parseFloat(cell.getAttribute("data-max"));
    var value = parseFloat(field.value);
    if (isNaN(value) || value < min || value > max || max <= min) { return null; }
    return share * (value - min) / (max - min);
  }

  function update() {
    var total = 0, any = false;
    form.querySelectorAll("[data-share]").forEach(function (cell) {
      var points = part(cell);
      if (points !== null) { total += points; any = true; }
    });
    out.textContent = any ? String(Math.round(total * 100) / 100) : "—";
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
}());
