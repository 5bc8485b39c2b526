/** `GET …/events?after=` returns only events at least this old, by default (README "Events"). */
export const EVENTS_SETTLE_SECONDS_DEFAULT = 60;

/**
 * `EVENTS_SETTLE_SECONDS` (default 60; read on each use, so a test can shorten it): how long ago an
 * event must have been built for `after=` replay to return it. An event's id carries the time it
 * was built, not when it committed: a write that commits later than another instance's newer event
 * has the smaller id, and a client that already stored the newer id would never see it. The window
 * gives every write that long to commit before replay can pass its id.
 */
export function eventsSettleMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.EVENTS_SETTLE_SECONDS?.trim();
  if (!raw) return EVENTS_SETTLE_SECONDS_DEFAULT * 1000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new Error(
      `EVENTS_SETTLE_SECONDS is ${JSON.stringify(raw)}, which is not a number of seconds ≥ 0.`,
    );
  }
  return seconds * 1000;
}
