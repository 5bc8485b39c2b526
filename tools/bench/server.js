// The load test's server: one instance of the function, as deployed (`api` from the bundle,
// functions/dist/index.js), in a process of its own on an ephemeral loopback port, so that the load
// generator does not share its event loop and its memory is the instance's alone.
// Talks to its parent over IPC: sends `{port}` once listening, `{memory, maxRss}` when asked, and
// with 'gc' (under --expose-gc) the heap left after a full collection; the parent ends it.
'use strict';

const http = require('node:http');
const { functionsMain } = require('./paths');

const { api } = require(functionsMain);

const server = http.createServer(api);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));

process.on('message', (message) => {
  if (message === 'memory') {
    process.send({ memory: process.memoryUsage(), maxRss: process.resourceUsage().maxRSS * 1024 });
  } else if (message === 'gc') {
    global.gc();
    process.send({ collected: process.memoryUsage() });
  }
});
