import { createHmac, randomBytes } from 'node:crypto';
import { db } from '../firebase';

/** The task queue function that delivers one event to one endpoint (functions/src/index.ts). */
export const DELIVERY_QUEUE = 'deliverWebhook';

/** What a delivery task carries: which event to which endpoint, and its sequence there. */
export interface DeliveryTask {
  organization_id: string;
  endpoint_id: string;
  event_id: string;
  sequence: number;
}

function emulated(): boolean {
  return process.env.FUNCTIONS_EMULATOR === 'true';
}

/**
 * The retries of a delivery: 8 attempts over about 24 hours (15 min, 30 min, 1 h, 2 h, 4 h, 8 h,
 * 8 h); under the emulator within seconds, so a local receiver sees them in well under a minute.
 */
export function retryConfig() {
  return emulated()
    ? { maxAttempts: 8, minBackoffSeconds: 1, maxBackoffSeconds: 4, maxDoublings: 2 }
    : { maxAttempts: 8, minBackoffSeconds: 900, maxBackoffSeconds: 28_800, maxDoublings: 5 };
}

/** When attempt `attempt` (1-based) that failed is tried again, or null after the last one. */
export function nextRetryAt(attempt: number, at: Date): Date | null {
  const config = retryConfig();
  if (attempt >= config.maxAttempts) return null;
  const seconds = Math.min(
    config.minBackoffSeconds * 2 ** Math.min(attempt - 1, config.maxDoublings),
    config.maxBackoffSeconds,
  );
  return new Date(at.getTime() + seconds * 1000);
}

type FunctionsModule = typeof import('firebase-admin/functions');

/**
 * Enqueues a delivery. The task id makes it once-only: the trigger that fans an event out may
 * run twice, and the queue refuses the same id again (`functions/task-already-exists`), which is
 * success here. Redeliveries pass their own suffix.
 */
export async function enqueueDelivery(task: DeliveryTask, suffix = ''): Promise<boolean> {
  db(); // the app firebase.ts uses, initialized (under the emulator it need not be the default)
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { getApps } = require('firebase-admin/app') as typeof import('firebase-admin/app');
  const { getFunctions } = require('firebase-admin/functions') as FunctionsModule;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const id = `${task.event_id}-${task.endpoint_id}${suffix}`.replace(/[^A-Za-z0-9_-]/g, '-');
  try {
    await getFunctions(getApps()[0])
      .taskQueue(DELIVERY_QUEUE)
      .enqueue({ ...task }, { id });
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'functions/task-already-exists') return false;
    throw error;
  }
}

export const redeliverySuffix = () => `-r${randomBytes(6).toString('hex')}`;

/** A new signing secret: `whsec_` + base64 of 32 random bytes (Standard Webhooks). */
export const newSigningSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/**
 * The Standard Webhooks signature: `v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` under
 * the base64-decoded secret (without its `whsec_` prefix).
 */
export function sign(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}
