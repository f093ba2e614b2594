// Starts Swagger UI on /docs. The page's Content-Security-Policy allows no inline script, so
// this file is served like the bundle, and the page hands it its URLs in data- attributes.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    oauth2RedirectUrl: window.location.origin + root.dataset.oauth2RedirectUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    // No badge from the public validator service: the docs load nothing from elsewhere.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
})();
