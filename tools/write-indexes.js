#!/usr/bin/env node
// `npm run indexes`: writes firestore.indexes.json from the query shapes the code declares
// (functions/src/indexes.ts). A unit test fails while the file and the code disagree.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { firestoreIndexes } = require('../functions/lib/indexes.js');

const file = path.join(__dirname, '..', 'firestore.indexes.json');
fs.writeFileSync(file, `${JSON.stringify(firestoreIndexes, null, 2)}\n`);
console.log(`Wrote ${firestoreIndexes.indexes.length} indexes to firestore.indexes.json`);
