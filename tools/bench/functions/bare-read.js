// The floor of the API's first authenticated read after a cold start: a bare `onRequest` + Express
// function making the calls the API cannot avoid on a fresh instance, with firebase-admin loaded
// and initialized the same way: the API key's document (BENCH_KEY_DIGEST), its user in Auth, then
// `getAll(organization, member document)` (BENCH_ORG, BENCH_UID).
'use strict';

const { functionsRequire } = require('../paths');

const { onRequest } = functionsRequire('firebase-functions/v2/https');
const express = functionsRequire('express');
const { initializeApp } = functionsRequire('firebase-admin/app');
const { getAuth } = functionsRequire('firebase-admin/auth');
const { getFirestore } = functionsRequire('firebase-admin/firestore');

const { BENCH_KEY_DIGEST, BENCH_ORG, BENCH_UID } = process.env;

let db;

const app = express();
app.get('/', async (_req, res) => {
  db ??= getFirestore(initializeApp());
  await db.getAll(db.collection('api_keys').doc(BENCH_KEY_DIGEST));
  await getAuth().getUser(BENCH_UID);
  const org = db.collection('organizations').doc(BENCH_ORG);
  const [snapshot] = await db.getAll(org, org.collection('members').doc(BENCH_UID));
  res.json({ data: snapshot.data() });
});

exports.readFloor = onRequest(app);
