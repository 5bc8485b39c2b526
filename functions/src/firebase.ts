import type { App } from 'firebase-admin/app';
import type { Auth } from 'firebase-admin/auth';
import type { Firestore } from 'firebase-admin/firestore';

// firebase-admin's modules are loaded on first use, not at cold start: together they take longer
// to load than the rest of the function, and a request that needs none of them (the health check)
// or only one should not wait for all.
/* eslint-disable @typescript-eslint/no-require-imports */
type AppModule = typeof import('firebase-admin/app');
type AuthModule = typeof import('firebase-admin/auth');
type FirestoreModule = typeof import('firebase-admin/firestore');

let app: App | undefined;
let firestore: Firestore | undefined;
let firestoreModule: FirestoreModule | undefined;

function adminApp(): App {
  if (!app) {
    const { getApps, initializeApp } = require('firebase-admin/app') as AppModule;
    app = getApps()[0] ?? initializeApp();
  }
  return app;
}

/** `firebase-admin/firestore` itself, for its values (`FieldPath`, `Timestamp`). */
export function firestoreSdk(): FirestoreModule {
  firestoreModule ??= require('firebase-admin/firestore') as FirestoreModule;
  return firestoreModule;
}

/** The Firestore client, created on first use. */
export function db(): Firestore {
  if (!firestore) {
    firestore = firestoreSdk().getFirestore(adminApp());
    firestore.settings({ ignoreUndefinedProperties: true });
  }
  return firestore;
}

/** The Firebase Auth admin client, created on first use. */
export function auth(): Auth {
  return (require('firebase-admin/auth') as AuthModule).getAuth(adminApp());
}
