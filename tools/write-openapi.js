#!/usr/bin/env node
// Part of `npm run build`: writes openapi.json, the OpenAPI 3.1 document generated from the route
// declarations (functions/src/routes.ts). A unit test fails while the file and the code disagree.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { apiRoutes } = require('../functions/lib/routes.js');
const { openApiDocument } = require('../functions/lib/openapi/document.js');
const { version } = require('../functions/package.json');

// The handlers are never called here: the routes need no services to be described.
const document = openApiDocument(apiRoutes({}, version), version);
const file = path.join(__dirname, '..', 'openapi.json');
fs.writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
console.log(`Wrote ${Object.keys(document.paths).length} paths to openapi.json`);
