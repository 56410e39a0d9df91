// Progress of background jobs: every element with data-job-url whose job is queued or
// running is polled once a second; the bar and the count follow, and when the job has
// finished the page is reloaded so that the server shows its result.
//
// While the page is being left (a form sent, a link followed) it does not reload: the
// reload raced the navigation and could land back on this page's address, without the
// job the form had just started (seen in CI: the results preview ended while
// "自动分配评审专家" was being sent, and the assignment's progress was never shown).
// A download leaves the page where it is, so after a few seconds it reloads again.
(function () {
  "use strict";
  var leftAt = -Infinity;
  window.addEventListener("beforeunload", function () { leftAt = Date.now(); });
  function leaving() { return Date.now() - leftAt < 5000; }
  function poll(el) {
    var bar = el.querySelector(".job-bar");
    var count = el.querySelector(".job-count");
    fetch(el.getAttribute("data-job-url"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) { return; }
        if (bar) { bar.value = job.percent; bar.textContent = job.percent + "%"; }
        if (count && job.total) { count.textContent = job.done + " / " + job.total; }
        if ((job.state === "succeeded" || job.state === "failed") && !leaving()) { window.location.reload(); return; }
        setTimeout(function () { poll(el); }, 1000);
      })
      .catch(function () { setTimeout(function () { poll(el); }, 3000); });
  }
  document.querySelectorAll("[data-job-url]").forEach(function (el) {
    var state = el.getAttribute("data-job-state");
    if (state === "queued" || state === "running") { setTimeout(function () { poll(el); }, 500); }
  });
})();
