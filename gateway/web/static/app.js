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

  // Uploads with a progress bar: <form data-upload> with a <progress> inside.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-upload]"), function (form) {
    form.addEventListener("submit", function (event) {
      var bar = form.querySelector("progress");
      if (!bar || !window.FormData) { return; }
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) { bar.value = e.loaded / e.total * 100; } };
      xhr.onload = function () { document.open(); document.write(xhr.responseText); document.close();
                                 if (xhr.responseURL) { history.replaceState(null, "", xhr.responseURL); } };
      bar.hidden = false;
      xhr.send(new FormData(form));
    });
  });
})();
