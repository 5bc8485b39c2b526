// One listening server for the whole model-based suite. `request(app)` makes supertest start a
// server on a new port and close it again for every request (thousands per run); the app and
// every response check are the same either way.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { app } from '../../helpers/api';

let server: Server | null = null;
let listening: Promise<Server> | null = null;

/** The suite's server, started on first use. */
export function modelServer(): Promise<Server> {
  listening ??= new Promise((resolve, reject) => {
    const started = createServer(app);
    started.keepAliveTimeout = 30_000;
    started.once('error', reject);
    started.listen(0, '127.0.0.1', () => {
      server = started;
      resolve(started);
    });
  });
  return listening;
}

/** The server's base URL (for supertest: `request(await baseUrl())`). */
export async function baseUrl(): Promise<string> {
  const { port } = (await modelServer()).address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

export async function stopModelServer(): Promise<void> {
  const running = server;
  server = null;
  listening = null;
  if (running) await new Promise((resolve) => running.close(resolve));
}
