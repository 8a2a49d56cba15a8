// The API's documentation page (/api/docs): the vendored Swagger UI over Testament's OpenAPI document.
// A file of its own, because the page's Content-Security-Policy forbids inline scripts.
"use strict";

window.ui = SwaggerUIBundle({
  url: document.getElementById("swagger-ui").dataset.openapi,
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null, // never send the document to swagger.io's validator
});
