// The load test's server: one instance of the function, as deployed (`api` from
// functions/lib/index.js), in a process of its own on an ephemeral loopback port, so that the load
// generator does not share its event loop and its memory is the instance's alone.
// Talks to its parent over IPC: sends `{port}` once listening, `{memory, maxRss}` when asked; the parent
// ends it.
'use strict';

const http = require('node:http');
const path = require('node:path');
const { functionsLib } = require('./paths');

const { api } = require(path.join(functionsLib, 'index.js'));

const server = http.createServer(api);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));

process.on('message', (message) => {
  if (message === 'memory') {
    process.send({ memory: process.memoryUsage(), maxRss: process.resourceUsage().maxRSS * 1024 });
  }
});
