// The cold-start baseline: a bare firebase-functions v2 `onRequest` function serving an Express
// "hello" app, loaded and served the same way as the API's `api`.
'use strict';

const { functionsRequire } = require('../paths');

const { onRequest } = functionsRequire('firebase-functions/v2/https');
const express = functionsRequire('express');

const app = express();
app.get('/', (_req, res) => {
  res.send('hello');
});

exports.hello = onRequest(app);
