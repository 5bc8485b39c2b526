import { onRequest } from 'firebase-functions/v2/https';
import { app } from './app';
import { apiKeyPepper } from './config';

/** The organizations API: one HTTPS function serving the Express app. */
export const api = onRequest({ secrets: [apiKeyPepper], cors: false, invoker: 'public' }, app);
