/* Confirmation before what cannot be undone, driven by data- attributes only (no
 * inline scripts: the pages' Content-Security-Policy forbids them).
 *
 *   <button type="submit" data-confirm="提交后将进入学院审核……确定提交吗？"
 *           data-confirm-ok="提交" data-confirm-cancel="取消">提交</button>
 *   <form data-confirm="…">…</form>            (any submit of the form)
 *   data-confirm-if="selector"                  (ask only when that element exists/is checked)
 *   data-confirm-require="name"                 (refuse to go on until a radio/checkbox `name` is chosen;
 *                                                the message is data-confirm-require-message)
 *
 * The dialog says what will happen; "OK" submits the same form with the same button
 * (its name/value is kept), "Cancel" or Esc leaves everything as it was. Without
 * JavaScript the form submits directly, as before.
 */
(function () {
  "use strict";
  var zh = (document.documentElement.lang || "zh").indexOf("zh") === 0;
  var dialog = null, pending = null;

  function build() {
    if (dialog) { return dialog; }
    dialog = document.createElement("dialog");
    dialog.className = "confirm";
    dialog.setAttribute("aria-labelledby", "confirm-title");
    dialog.innerHTML = '<h2 id="confirm-title"></h2><p class="confirm-text"></p>' +
      '<div class="confirm-buttons"><button type="button" class="confirm-cancel"></button>' +
      '<button type="button" class="primary confirm-ok"></button></div>';
    document.body.appendChild(dialog);
    dialog.querySelector(".confirm-cancel").addEventListener("click", function () { close(false); });
    dialog.querySelector(".confirm-ok").addEventListener("click", function () { close(true); });
    dialog.addEventListener("cancel", function (event) { event.preventDefault(); close(false); });
    return dialog;
  }

  function close(ok) {
    var job = pending;
    pending = null;
    if (dialog.open) { dialog.close(); }
    if (job && ok) { job.go(); } else if (job && job.opener) { job.opener.focus(); }
  }

  function ask(source, message, go) {
    var d = build();
    d.querySelector("#confirm-title").textContent = source.getAttribute("data-confirm-title") || (zh ? "请确认" : "Please confirm");
    d.querySelector(".confirm-text").textContent = message;
    d.querySelector(".confirm-ok").textContent = source.getAttribute("data-confirm-ok") || (zh ? "确定" : "OK");
    d.querySelector(".confirm-cancel").textContent = source.getAttribute("data-confirm-cancel") || (zh ? "取消" : "Cancel");
    pending = {go: go, opener: source};
    if (typeof d.showModal === "function") {
      d.showModal();
      d.querySelector(".confirm-cancel").focus();
    } else if (window.confirm(message)) {  // very old browsers: the plain dialog still says what happens
      close(true);
    } else {
      close(false);
    }
  }

  function submitWith(form, button) {
    form.setAttribute("data-confirmed", "");
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit(button || undefined);  // the pressed button's name/value (intent=submit) goes along
      return;
    }
    if (button && button.name) {
      var carried = document.createElement("input");
      carried.type = "hidden";
      carried.name = button.name;
      carried.value = button.value;
      form.appendChild(carried);
    }
    form.submit();
  }

  function requirementMissing(form, source) {
    var name = source.getAttribute("data-confirm-require");
    if (!name) { return null; }
    var chosen = form.querySelector('[name="' + name + '"]:checked');
    return chosen ? null : (source.getAttribute("data-confirm-require-message") ||
                            (zh ? "请先选择处理结果。" : "Choose an outcome first."));
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-confirmed")) {
      form.removeAttribute("data-confirmed");
      return;  // confirmed just now: let it go (and let other handlers see it)
    }
    var button = event.submitter || null;
    var source = (button && button.hasAttribute("data-confirm")) ? button :
                 (form.hasAttribute("data-confirm") ? form : null);
    if (!source) { return; }
    var condition = source.getAttribute("data-confirm-if");
    if (condition) {
      var target = form.querySelector(condition);
      if (!target || (("checked" in target) && target.type !== "text" && !target.checked)) { return; }
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    var missing = requirementMissing(form, source);
    if (missing) {
      ask(source, missing, function () {});
      return;
    }
    ask(source, source.getAttribute("data-confirm"), function () { submitWith(form, button); });
  }, true);
})();
