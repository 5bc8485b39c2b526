// The reference model of the model-based suite: one organization as the API contract says it
// should be, and the verdict of each write on it (the status and error code it must answer).
// Plain data and pure functions: nothing here talks to the emulators.

export type Role = 'owner' | 'admin' | 'member' | 'viewer';
export type GrantableRole = Exclude<Role, 'owner'>;

export interface InvitationModel {
  id: string;
  /** The invited account (POST /team), or null for an invitation to an address. */
  uid: string | null;
  email: string | null;
  role: GrantableRole;
  status: 'pending' | 'accepted' | 'declined' | 'revoked';
  resent: boolean;
}

export interface KeyModel {
  id: string;
  raw: string;
  uid: string;
  write: boolean;
  revoked: boolean;
}

export interface SecretModel {
  name: string;
  last4: string | null;
}

export interface OrgModel {
  name: string;
  public: boolean;
  archived: boolean;
  owner: string;
  /** uid → role; exactly one owner. */
  roles: Map<string, Role>;
  version: number;
  invitations: InvitationModel[];
  secrets: Map<string, SecretModel>;
}

/** What a sequence knows: its organization's id and state, and what was written. */
export interface Model {
  orgId: string;
  /** null before it is created and after it is purged. */
  org: OrgModel | null;
  purged: boolean;
  /** API keys made in this sequence: whose, their scopes, whether revoked. */
  keys: KeyModel[];
  /** Audit entries the organization's log must hold (one per successful write that logs). */
  audit: number;
  /** Commands run and how they ended, for the report. */
  stats: { commands: number; ok: number; refused: number };
}

/** A caller of the cast: its uid and email, and whether it is a platform admin. */
export interface Actor {
  name: string;
  uid: string;
  email: string;
  platform: boolean;
}

/** The answer a command must get: a status, and for an error its code. */
export interface Verdict {
  status: number;
  code?: string;
  /** Applies the write to the model (only for a 2xx). */
  apply?: () => void;
}

export const ok = (status: number, apply?: () => void): Verdict => ({ status, apply });
export const refuse = (status: number, code: string): Verdict => ({ status, code });

const RANK: Record<Role, number> = { viewer: 1, member: 2, admin: 3, owner: 4 };

export function newModel(orgId: string): Model {
  return {
    orgId,
    org: null,
    purged: false,
    keys: [],
    audit: 0,
    stats: { commands: 0, ok: 0, refused: 0 },
  };
}

export const roleOf = (org: OrgModel, uid: string): Role | undefined => org.roles.get(uid);

/** The rights a caller acts with: its role, or owner for a platform admin. */
export function rightsOf(org: OrgModel, actor: Actor): Role | undefined {
  return actor.platform ? 'owner' : roleOf(org, actor.uid);
}

export const atLeast = (rights: Role | undefined, minimum: Role) =>
  rights !== undefined && RANK[rights] >= RANK[minimum];

/** Whether the caller sees the organization at all (else 404). */
export function visible(org: OrgModel | null, actor: Actor): org is OrgModel {
  if (!org) return false;
  if (rightsOf(org, actor)) return true;
  return org.public && !org.archived;
}

/** Whether the caller reads the organization in full (its team): the rules must agree. */
export function readsInFull(org: OrgModel | null, actor: Actor): boolean {
  return !!org && (actor.platform || org.roles.has(actor.uid));
}

/** A write of the organization document: the next version, and one audit entry. */
export function bump(model: Model): void {
  model.org!.version += 1;
  model.audit += 1;
}

/**
 * `If-Match` as a command sends it: none, the current ETag, one that is stale, or a fixed version
 * (a concurrent batch sends the ETag it read before the batch).
 */
export type IfMatch = 'none' | 'current' | 'stale' | number;

export function ifMatchHeader(model: Model, mode: IfMatch): string | undefined {
  if (mode === 'none') return undefined;
  if (typeof mode === 'number') return `"${mode}"`;
  const version = model.org?.version ?? 1;
  return mode === 'current' ? `"${version}"` : `"${version + 1000}"`;
}

/** Whether the `If-Match` names another version than the organization's now. */
export const isStale = (model: Model, mode: IfMatch) =>
  mode === 'stale' || (typeof mode === 'number' && mode !== model.org?.version);

/** The team's uids, sorted (the order `team` has in the invariants). */
export const teamOf = (org: OrgModel) => [...org.roles.keys()].sort();

/** Removes a member; returns nothing. */
export function removeMember(org: OrgModel, uid: string): void {
  org.roles.delete(uid);
}

/** The pending invitation to an account, if any. */
export const pendingForUid = (org: OrgModel, uid: string) =>
  org.invitations.find((i) => i.status === 'pending' && i.uid === uid);

export const pendingForEmail = (org: OrgModel, email: string) =>
  org.invitations.find((i) => i.status === 'pending' && i.email === email);
