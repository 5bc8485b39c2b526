import type { RequestHandler } from 'express';
import * as logger from 'firebase-functions/logger';

/** Seconds a client waits before retrying a request that ran out of time. */
export const DEADLINE_RETRY_AFTER_SECONDS = 5;

/**
 * How long a request may take (`REQUEST_DEADLINE_MS`, default 50 s): under the function's 60 s
 * timeout, so a dependency that hangs (a paused database, a slow Secret Manager) gets the caller
 * a 503 to retry instead of a connection the platform cuts.
 */
export function requestDeadlineMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.REQUEST_DEADLINE_MS?.trim();
  if (!raw) return 50_000;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(
      `REQUEST_DEADLINE_MS is ${JSON.stringify(raw)}: it must be a whole number of milliseconds.`,
    );
  }
  return value;
}

/**
 * Answers 503 `unavailable` with `Retry-After` when a request has not been answered in `ms`. The
 * work goes on until its own calls end: a write is one transaction, so it commits whole or not at
 * all (the client retries with its `Idempotency-Key` to learn which); its late answer is dropped.
 */
export function deadline(ms: number): RequestHandler {
  return (req, res, next) => {
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      const message = 'A service the API depends on did not answer in time: try again shortly.';
      logger.warn('Request deadline exceeded', { method: req.method, path: req.path, ms });
      res
        .set('Cache-Control', 'no-store')
        .set('Retry-After', String(DEADLINE_RETRY_AFTER_SECONDS))
        .status(503)
        .json({ success: false, message, error: { code: 'unavailable', message } });
    }, ms);
    const clear = () => clearTimeout(timer);
    res.on('finish', clear);
    res.on('close', clear);
    next();
  };
}
