/* Small progressive enhancements; every page works without them. */
(function () {
  "use strict";
  var zh = document.documentElement.lang.indexOf("zh") === 0;

  // Countdown to a deadline: <span class="countdown" data-seconds="123">
  function fmt(s) {
    if (s <= 0) { return zh ? "已截止" : "closed"; }
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
    return zh ? (d + "天" + h + "小时" + m + "分" + sec + "秒") : (d + "d " + h + "h " + m + "m " + sec + "s");
  }
  var clocks = Array.prototype.slice.call(document.querySelectorAll(".countdown[data-seconds]"));
  var start = Date.now();
  function tick() {
    var passed = Math.floor((Date.now() - start) / 1000);
    clocks.forEach(function (el) {
      el.textContent = fmt(Math.max(0, parseInt(el.getAttribute("data-seconds"), 10) - passed));
    });
  }
  if (clocks.length) { tick(); setInterval(tick, 1000); }

  // Uploads with a progress bar: <form data-upload> with a <progress> inside. Only the
  // buttons with name=intent value=upload or replace:<id> send a file with progress; the
  // size limit (data-max-bytes on each file input; data-photo-max-bytes for a JPEG/PNG
  // photo, which is shrunk in the browser by photo_resize.js and else by the server) is
  // checked before anything is sent, so a file too large never costs the reader what
  // they typed.
  function isPhoto(f) { return f && (f.type === "image/jpeg" || f.type === "image/png"); }
  function limitFor(input, f) {
    var photo = parseInt(input.getAttribute("data-photo-max-bytes") || "0", 10);
    if (photo && isPhoto(f)) { return photo; }
    return parseInt(input.getAttribute("data-max-bytes") || "0", 10);
  }
  function tooLarge(input) {
    var f = input.files && input.files[0];
    var limit = f ? limitFor(input, f) : 0;
    return !!(limit && f.size > limit);
  }
  Array.prototype.forEach.call(document.querySelectorAll("form[data-upload]"), function (form) {
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input[type=file]"));
    var tooBig = form.querySelector("#att-too-big");
    function oversize() { return inputs.filter(tooLarge)[0] || null; }
    inputs.forEach(function (input) {
      input.addEventListener("change", function () {
        var big = tooLarge(input);
        if (tooBig) { tooBig.hidden = !oversize(); }
        input.setAttribute("aria-invalid", big ? "true" : "false");
      });
    });
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      var value = button ? button.value || "" : "";
      var uploading = !form.hasAttribute("data-keep-edits") || value === "upload" || value.indexOf("replace:") === 0;
      if (!uploading) { return; }
      var big = oversize();
      if (big) {
        event.preventDefault();
        if (tooBig) { tooBig.hidden = false; }
        big.focus();
        return;
      }
      var chosen = inputs.some(function (input) { return input.files && input.files.length; });
      var bar = form.querySelector("progress");
      if (!bar || !window.FormData || !chosen) { return; }
      event.preventDefault();
      var data = new FormData(form);
      if (button && button.name) { data.set(button.name, button.value); }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) { bar.value = e.loaded / e.total * 100; } };
      xhr.onload = function () {
        // Post/Redirect/Get: land on the page the server redirected to (a refresh then repeats nothing).
        if (xhr.responseURL && xhr.status < 400) { window.location.assign(xhr.responseURL); return; }
        document.open(); document.write(xhr.responseText); document.close();
      };
      bar.hidden = false;
      xhr.send(data);
    });
  });

  // Lists of rows (预期成果, claim lines): "add a row" copies the last row with its
  // inputs emptied and renumbered, without a round trip; the server reads every row.
  Array.prototype.forEach.call(document.querySelectorAll("[data-rows]"), function (box) {
    var max = parseInt(box.getAttribute("data-max") || "0", 10);
    var add = document.createElement("button");
    add.type = "button";
    add.className = "add-row";
    add.textContent = box.getAttribute("data-add-label") || (zh ? "添加一行" : "Add a row");
    box.appendChild(add);
    function rows() { return box.querySelectorAll("[data-row]"); }
    function refresh() { add.hidden = !!(max && rows().length >= max); }
    add.addEventListener("click", function () {
      var all = rows();
      var last = all[all.length - 1];
      if (!last) { return; }
      var index = all.length;
      var copy = last.cloneNode(true);
      // The previous row's index where it stands between a non-digit and "." or "-"
      // (expected_outputs.0.title, item0.amount_yuan, it0-d, f-expected_outputs-0-title).
      var from = new RegExp("([^0-9])" + (index - 1) + "(?=[.-]|$)", "g");
      Array.prototype.forEach.call(copy.querySelectorAll("[name],[id],[for],[aria-describedby]"), function (el) {
        ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) { el.setAttribute(attr, value.replace(from, "$1" + index)); }
        });
        if (el.matches("input:not([type=hidden]):not([type=checkbox]), textarea")) { el.value = ""; }
        if (el.matches("select")) { el.selectedIndex = 0; }
        if (el.matches("input[type=checkbox]")) { el.checked = false; }
        el.removeAttribute("aria-invalid");
      });
      Array.prototype.forEach.call(copy.querySelectorAll(".field-error"), function (el) { el.remove(); });
      var number = copy.querySelector("[data-row-number]");
      if (number) { number.textContent = number.textContent.replace(/\d+\s*$/, String(index + 1)); }
      last.parentNode.insertBefore(copy, last.nextSibling);
      var first = copy.querySelector("input, textarea, select");
      if (first) { first.focus(); }
      refresh();
    });
    refresh();
  });
})();
