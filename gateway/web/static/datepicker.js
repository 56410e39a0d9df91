/* A date and time picker that reads the same in every browser: 2026年12月 with 一…日
 * across the top, times 00:00–23:45 (24-hour, Beijing time). It fills text inputs marked
 * data-picker="date" (2026-12-11) or data-picker="datetime" (2026-12-11 17:00); typing
 * stays possible, and without JavaScript the input is a plain text field with a hint.
 */
(function () {
  "use strict";
  var zh = (document.documentElement.lang || "zh").indexOf("zh") === 0;
  var WEEK = zh ? ["一", "二", "三", "四", "五", "六", "日"] : ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function parse(text) {
    var m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2}))?/.exec((text || "").trim());
    if (!m) { return null; }
    return {y: +m[1], m: +m[2], d: +m[3], h: m[4] ? +m[4] : 17, min: m[5] ? +m[5] : 0};
  }

  function attach(input) {
    var withTime = input.getAttribute("data-picker") === "datetime";
    var open = document.createElement("button");
    open.type = "button";
    open.className = "picker-open";
    open.textContent = zh ? "选择日期" : "Pick a date";
    open.setAttribute("aria-haspopup", "dialog");
    input.insertAdjacentElement("afterend", open);
    var panel = null, shown = null;

    function write(v) {
      input.value = v.y + "-" + pad(v.m) + "-" + pad(v.d) + (withTime ? " " + pad(v.h) + ":" + pad(v.min) : "");
      input.dispatchEvent(new Event("change", {bubbles: true}));
    }

    function render() {
      var first = new Date(shown.y, shown.m - 1, 1);
      var days = new Date(shown.y, shown.m, 0).getDate();
      var lead = (first.getDay() + 6) % 7;  // Monday first, as Chinese calendars are
      var chosen = parse(input.value);
      var html = '<div class="picker-head"><button type="button" data-step="-1" aria-label="' +
        (zh ? "上个月" : "Previous month") + '">‹</button><strong aria-live="polite">' +
        (zh ? shown.y + "年" + shown.m + "月" : shown.y + "-" + pad(shown.m)) +
        '</strong><button type="button" data-step="1" aria-label="' + (zh ? "下个月" : "Next month") +
        '">›</button></div><table class="picker-days" role="grid"><thead><tr>';
      WEEK.forEach(function (w) { html += '<th scope="col">' + w + "</th>"; });
      html += "</tr></thead><tbody><tr>";
      for (var i = 0; i < lead; i++) { html += "<td></td>"; }
      for (var d = 1; d <= days; d++) {
        var selected = chosen && chosen.y === shown.y && chosen.m === shown.m && chosen.d === d;
        html += '<td><button type="button" data-day="' + d + '"' + (selected ? ' aria-pressed="true"' : "") +
          ' aria-label="' + (zh ? shown.y + "年" + shown.m + "月" + d + "日" : shown.y + "-" + pad(shown.m) + "-" + pad(d)) +
          '">' + d + "</button></td>";
        if ((lead + d) % 7 === 0 && d < days) { html += "</tr><tr>"; }
      }
      html += "</tr></tbody></table>";
      if (withTime) {
        var options = "";
        for (var h = 0; h < 24; h++) {
          for (var q = 0; q < 60; q += 15) {
            var label = pad(h) + ":" + pad(q);
            var on = chosen ? (chosen.h === h && chosen.min === q) : (h === 17 && q === 0);
            options += '<option value="' + label + '"' + (on ? " selected" : "") + ">" + label + "</option>";
          }
        }
        html += '<label class="picker-time">' + (zh ? "时间（24 小时制，北京时间）" : "Time (24-hour, Beijing)") +
          ' <select data-time>' + options + "</select></label>";
      }
      html += '<div class="picker-foot"><button type="button" data-close>' + (zh ? "关闭" : "Close") + "</button></div>";
      panel.innerHTML = html;
    }

    function close() {
      if (panel) { panel.remove(); panel = null; open.setAttribute("aria-expanded", "false"); }
    }

    open.addEventListener("click", function () {
      if (panel) { close(); return; }
      var now = new Date();
      var current = parse(input.value) || {y: now.getFullYear(), m: now.getMonth() + 1, d: now.getDate(), h: 17, min: 0};
      shown = {y: current.y, m: current.m};
      panel = document.createElement("div");
      panel.className = "picker";
      panel.setAttribute("role", "dialog");
      panel.setAttribute("aria-label", zh ? "选择日期" : "Pick a date");
      open.insertAdjacentElement("afterend", panel);
      open.setAttribute("aria-expanded", "true");
      render();
      panel.addEventListener("click", function (event) {
        var target = event.target.closest("button");
        if (!target) { return; }
        if (target.hasAttribute("data-step")) {
          shown.m += +target.getAttribute("data-step");
          if (shown.m < 1) { shown.m = 12; shown.y -= 1; }
          if (shown.m > 12) { shown.m = 1; shown.y += 1; }
          render();
        } else if (target.hasAttribute("data-day")) {
          var v = parse(input.value) || {h: 17, min: 0};
          var time = panel.querySelector("[data-time]");
          if (time) { v.h = +time.value.slice(0, 2); v.min = +time.value.slice(3, 5); }
          write({y: shown.y, m: shown.m, d: +target.getAttribute("data-day"), h: v.h, min: v.min});
          close();
          input.focus();
        } else if (target.hasAttribute("data-close")) {
          close();
          open.focus();
        }
      });
      panel.addEventListener("change", function (event) {
        if (!event.target.hasAttribute("data-time")) { return; }
        var v = parse(input.value);
        if (v) { v.h = +event.target.value.slice(0, 2); v.min = +event.target.value.slice(3, 5); write(v); }
      });
      panel.addEventListener("keydown", function (event) { if (event.key === "Escape") { close(); open.focus(); } });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[data-picker]"), attach);
})();
