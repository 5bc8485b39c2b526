// The API reference: Swagger UI on the API's own OpenAPI document, served from this origin. Every
// asset is local (vendor/, copied from swagger-ui-dist by tools/docs-assets.js), and nothing here
// reaches another host: no validator badge (validator.swagger.io), no fonts, no telemetry.
'use strict';

window.ui = SwaggerUIBundle({
  // Same origin: Hosting rewrites /api/** to the function. The document's server is the relative
  // `/api`, which Swagger UI resolves against this URL, so "Try it" calls this site's own API.
  url: '/api/openapi.json',
  dom_id: '#swagger-ui',
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  deepLinking: true,
  validatorUrl: null,
  // The API key pasted under "Authorize" survives a reload (kept in this browser's localStorage).
  persistAuthorization: true,
  displayRequestDuration: true,
  defaultModelsExpandDepth: 0,
});
