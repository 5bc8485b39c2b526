import type { ClaimsStore, Membership } from './store';

/** Firebase refuses custom claims over 1,000 bytes of JSON. */
export const MAX_CLAIMS_BYTES = 1000;
/** Set when `owner`/`team` were cut to fit: the claims are then a partial, non-authoritative list. */
export const OVERFLOW_CLAIM = 'orgs_truncated';
const MAX_ROUNDS = 5;

type Claims = Record<string, unknown>;

/**
 * The claims a user should have: the other claims untouched, `owner` and `team` from the
 * memberships (owned organizations first, each list sorted), cut to fit 1,000 bytes.
 */
export function claimsFor(current: Claims, memberships: Membership[]): Claims {
  const { owner: _owner, team: _team, [OVERFLOW_CLAIM]: _flag, ...others } = current;
  const ordered = [...memberships].sort(
    (a, b) =>
      Number(b.role === 'owner') - Number(a.role === 'owner') ||
      a.organization_id.localeCompare(b.organization_id),
  );
  const owner: string[] = [];
  const team: string[] = [];
  const build = (truncated: boolean): Claims => ({
    ...others,
    owner: [...owner].sort(),
    team: [...team].sort(),
    ...(truncated ? { [OVERFLOW_CLAIM]: true } : {}),
  });
  const size = (claims: Claims) => Buffer.byteLength(JSON.stringify(claims));
  for (const membership of ordered) {
    team.push(membership.organization_id);
    if (membership.role === 'owner') owner.push(membership.organization_id);
    if (size(build(true)) > MAX_CLAIMS_BYTES) {
      team.pop();
      if (membership.role === 'owner') owner.pop();
      return build(true);
    }
  }
  return build(false);
}

const sameClaims = (a: Claims, b: Claims) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/**
 * Recomputes users' `owner`/`team` claims from Firestore. Two syncs of one user can race (each
 * reads memberships, then writes claims); so each, after writing, reads the memberships again and
 * starts over if they moved on. The last writer always checks after its write, so the claims
 * converge on the memberships as they are once the changes stop.
 */
export function createClaimsService(store: ClaimsStore) {
  async function syncOne(uid: string): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const [memberships, current] = await Promise.all([
        store.membershipsOf(uid),
        store.claimsOf(uid),
      ]);
      // Claims that already match memberships read after this sync's change committed are
      // right; a later change runs a sync of its own.
      if (current === null) return;
      const wanted = claimsFor(current, memberships);
      if (sameClaims(current, wanted)) return;
      await store.setClaims(uid, wanted);
      const after = await store.membershipsOf(uid);
      if (JSON.stringify(claimsFor(current, after)) === JSON.stringify(wanted)) return;
    }
  }

  return {
    /** Syncs every given user, in parallel; resolves once all claims are written. */
    async sync(uids: Iterable<string>): Promise<void> {
      await Promise.all([...new Set(uids)].map(syncOne));
    },
  };
}

export type ClaimsService = ReturnType<typeof createClaimsService>;
