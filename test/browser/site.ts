// The Hosting site in one loopback server, shaped like firebase.json's `hosting`: `public/` served
// statically, and `/api/**` handed to the in-process Express app (the function's `createApp()`),
// path and all, as the rewrite does. Routes that touch Firestore or Auth need the emulators; the
// docs page only reads `/api/openapi.json`, which needs neither.
import './env';
import express from 'express';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createApp } from '../../functions/src/app';

export interface Site {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  close(): Promise<void>;
}

export async function startSite(): Promise<Site> {
  const api = createApp();
  const site = express();
  site.disable('x-powered-by');
  site.use(express.static(join(__dirname, '..', '..', 'public')));
  site.use((_req, res) => {
    res.status(404).type('text/plain').send('Not found');
  });
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/api' || path.startsWith('/api/')) api(req, res);
    else site(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
