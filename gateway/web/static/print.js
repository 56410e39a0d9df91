// A print button (CSP: no inline scripts): <button class="print-page"> prints the page.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("button.print-page");
  if (button) { window.print(); }
});
