import { user } from 'firebase-functions/v1/auth';
import { onRequest } from 'firebase-functions/v2/https';
import { app } from './app';
import { apiKeyPepper } from './config';
import { userStore } from './users/store';

/** The organizations API: one HTTPS function serving the Express app. */
export const api = onRequest({ secrets: [apiKeyPepper], cors: false, invoker: 'public' }, app);

/** Creates the `users/{uid}` profile of every new account (Auth has no v2 creation trigger). */
export const createProfile = user().onCreate((user) => userStore.createProfile(user));
