import type { Caller } from '../auth/caller';
import type { LogEntry } from './types';

/** An audit-log entry: who did what, with which credential, to which fields (never values). */
export function logEntry(
  caller: Caller,
  action: string,
  changed: string[],
  at: Date,
  target?: string,
): LogEntry {
  return {
    action,
    actor_uid: caller.uid,
    credential: caller.credential,
    key_id: caller.key_id,
    changed_fields: changed,
    ...(target ? { target } : {}),
    at,
  };
}
