// Swagger UI for /api/docs, started from a file (the Content-Security-Policy forbids inline scripts).
window.addEventListener("load", function () {
  var container = document.getElementById("swagger-ui-container");
  window.ui = SwaggerUIBundle({ url: container.getAttribute("data-spec-url"), dom_id: "#swagger-ui-container" });
});
