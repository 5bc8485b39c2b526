// The commands of the model-based suite: one per write route. Each decides the answer the model
// expects (status, error code, the fields that matter), sends the request to the in-process app,
// checks the answer, and only then applies the write to the model.
import fc from 'fast-check';
import request from 'supertest';
import { bearer } from '../../helpers/api';
import { baseUrl } from './server';
import type { Cast, CastMember } from './cast';
import { ACTORS } from './cast';
import {
  atLeast,
  bump,
  ifMatchHeader,
  isStale,
  ok,
  pendingForEmail,
  pendingForUid,
  refuse,
  rightsOf,
  roleOf,
  teamOf,
  visible,
  type GrantableRole,
  type IfMatch,
  type InvitationModel,
  type Model,
  type OrgModel,
  type Verdict,
} from './model';

/** What the commands act on: this sequence's cast and every response seen. */
export interface Real {
  cast: Cast;
  /** Every response body seen, for the no-secret check. */
  bodies: string[];
  /** Every secret value sent. */
  secrets: string[];
}

/** A caller by index into the cast, or whoever owns the organization now. */
export type Who = number | 'owner' | { team: number };

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

export interface Call {
  method: Method;
  path: string;
  body?: object;
  ifMatch?: string;
  headers?: Record<string, string>;
}

/** One step: the request, the model's verdict, and a check of a 2xx body after the model moved. */
export interface Step {
  actor: CastMember | null;
  credential?: string;
  call: Call;
  verdict: Verdict;
  /** The ETag a 2xx must carry (the model's version after the write), if versioned. */
  versioned?: boolean;
  check?: (data: Record<string, unknown>, model: Model) => void;
  /** Runs after a successful write with the response's data (e.g. records new ids). */
  record?: (data: Record<string, unknown>) => void;
}

export class ModelFailure extends Error {}

export function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new ModelFailure(
      `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
    );
  }
}

/** Resolves a `Who` to a cast member (the owner, if there is one, else the first account). */
export function resolve(who: Who, model: Model, cast: Cast): CastMember {
  if (who === 'owner') {
    const owner = model.org?.owner;
    return cast.actors.find((actor) => actor.uid === owner) ?? cast.actors[0];
  }
  if (typeof who === 'object') {
    const team = cast.actors.filter((actor) => model.org?.roles.has(actor.uid));
    return team.length ? team[who.team % team.length] : cast.actors[0];
  }
  return cast.actors[who % cast.actors.length];
}

const GRANTABLE: GrantableRole[] = ['admin', 'member', 'viewer'];
const BOGUS_INVITATION = 'AAAAAAAAAAAAAAAAAAAAAAAA';

/** An invitation: the `k`th the model knows (0: one that does not exist), or one by id. */
export type InvitationRef = number | { id: string };

function invitationAt(org: OrgModel | null, k: InvitationRef): InvitationModel | null {
  if (!org) return null;
  if (typeof k === 'object') return org.invitations.find((i) => i.id === k.id) ?? null;
  if (org.invitations.length === 0 || k === 0) return null;
  return org.invitations[(k - 1) % org.invitations.length];
}

/** An answer as the checks need it. */
export interface Answer {
  status: number;
  code?: string;
  success?: boolean;
  data: Record<string, unknown>;
  etag?: string;
  text: string;
}

/** Sends one step's request; a 5xx is a failure whatever the model says. */
export async function send(real: Real, step: Step): Promise<Answer> {
  const { call } = step;
  let test = request(await baseUrl())[call.method](call.path);
  const credential = step.credential ?? step.actor?.user.idToken;
  if (credential) test = test.set(bearer(credential));
  if (call.ifMatch) test = test.set('If-Match', call.ifMatch);
  for (const [name, value] of Object.entries(call.headers ?? {})) test = test.set(name, value);
  const response = call.body === undefined ? await test : await test.send(call.body);
  real.bodies.push(response.text);
  if (response.status >= 500) {
    throw new ModelFailure(`${describeStep(step)}: ${response.status} ${response.text}`);
  }
  const body = response.body as {
    success?: boolean;
    data?: Record<string, unknown>;
    error?: { code: string };
  };
  return {
    status: response.status,
    code: body.error?.code,
    success: body.success,
    data: body.data ?? {},
    etag: response.headers.etag,
    text: response.text,
  };
}

export const describeStep = (step: Step) =>
  `${step.call.method.toUpperCase()} ${step.call.path} as ${step.actor?.name ?? 'nobody'}`;

/** Whether an answer is the one the verdict says (status, and an error's code). */
export const agrees = (verdict: Verdict, answer: Answer) =>
  answer.status === verdict.status && (verdict.code ? answer.code === verdict.code : !answer.code);

/** Sends one step's request and checks the answer against the model's verdict. */
export async function perform(model: Model, real: Real, step: Step): Promise<void> {
  const { verdict } = step;
  const answer = await send(real, step);
  model.stats.commands += 1;
  const where = describeStep(step);
  if (!agrees(verdict, answer)) {
    throw new ModelFailure(
      `${where}: expected ${verdict.status}${verdict.code ? ` ${verdict.code}` : ''}, got ${answer.status} ${answer.text}`,
    );
  }
  if (verdict.code) {
    expectEqual(answer.success, false, `${where}: success`);
    model.stats.refused += 1;
    return;
  }
  expectEqual(answer.success, true, `${where}: success`);
  model.stats.ok += 1;
  verdict.apply?.();
  step.record?.(answer.data);
  if (step.versioned && model.org) {
    expectEqual(answer.etag, `"${model.org.version}"`, `${where}: ETag`);
  }
  step.check?.(answer.data, model);
}

/** A fast-check command around a step built from the model at run time. */
class StepCommand implements fc.AsyncCommand<Model, Real> {
  private resolved = '';
  constructor(
    private readonly label: string,
    private readonly build: Build,
    /** Sent with the `k`th API key of the sequence (acting as its owner) instead of an ID token. */
    private readonly key: number | null = null,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    const step = withKey(model, real, this.build, this.key);
    this.resolved = ` [${step.actor?.name ?? 'nobody'}: ${step.call.method.toUpperCase()} ${step.call.path}${step.call.body ? ` ${JSON.stringify(step.call.body)}` : ''}${step.call.ifMatch ? ` If-Match ${step.call.ifMatch}` : ''} → ${step.verdict.status}${step.verdict.code ? ` ${step.verdict.code}` : ''}]`;
    await perform(model, real, step);
  }
  toString(): string {
    return `${this.label}${this.key === null ? '' : ` with key${this.key}`}${this.resolved}`;
  }
}

/** Builds a step for a caller: the one the command names, or the owner of the API key used. */
export type Build = (model: Model, real: Real, as?: CastMember) => Step;

/**
 * The step as sent with an API key: a revoked key is a 401, a read-only key's write a 403 (before
 * anything else); an active key acts as its owner.
 */
export function withKey(model: Model, real: Real, build: Build, k: number | null): Step {
  const key = k === null || model.keys.length === 0 ? null : model.keys[k % model.keys.length];
  if (!key) return build(model, real);
  const owner = real.cast.actors.find((actor) => actor.uid === key.uid)!;
  const step = { ...build(model, real, owner), credential: key.raw };
  if (key.revoked) return { ...step, verdict: refuse(401, 'unauthenticated') };
  if (!key.write && step.call.method !== 'get') {
    return { ...step, verdict: refuse(403, 'permission-denied') };
  }
  return step;
}

const orgPath = (model: Model, rest = '') => `/api/organizations/${model.orgId}${rest}`;

// ---- Organizations ----------------------------------------------------------------------------

/** `POST /organizations`: creates; on an existing id, updates it (Cannlytics) or 409. */
export function createStep(model: Model, actor: CastMember, name: string): Step {
  const org = model.org;
  const call: Call = {
    method: 'post',
    path: '/api/organizations',
    body: { organization_id: model.orgId, name },
  };
  if (!org) {
    if (model.purged) return { actor, call, verdict: refuse(409, 'already-exists') };
    return {
      actor,
      call,
      verdict: ok(201, () => {
        model.org = {
          name,
          public: false,
          archived: false,
          owner: actor.uid,
          roles: new Map([[actor.uid, 'owner']]),
          version: 1,
          invitations: [],
          secrets: new Map(),
        };
        model.audit += 1;
      }),
      versioned: true,
      check: (data) => {
        expectEqual(data.organization_id, model.orgId, 'created id');
        expectEqual(data.owner, actor.uid, 'created owner');
        expectEqual(data.team, [actor.uid], 'created team');
        expectEqual(data.role, 'owner', 'created role');
      },
    };
  }
  if (!org.roles.has(actor.uid) && !actor.platform) {
    return { actor, call, verdict: refuse(409, 'already-exists') };
  }
  return updateVerdict(model, org, actor, call, { name }, 200);
}

/** The verdict of a partial update `{name?, public?}` once the caller sees the organization. */
function updateVerdict(
  model: Model,
  org: OrgModel,
  actor: CastMember,
  call: Call,
  changes: { name?: string; public?: boolean },
  status: number,
): Step {
  if (!atLeast(rightsOf(org, actor), 'member')) {
    return { actor, call, verdict: refuse(403, 'permission-denied') };
  }
  if (org.archived) return { actor, call, verdict: refuse(409, 'failed-precondition') };
  const changed =
    (changes.name !== undefined && changes.name !== org.name) ||
    (changes.public !== undefined && changes.public !== org.public);
  return {
    actor,
    call,
    verdict: ok(status, () => {
      if (!changed) return;
      if (changes.name !== undefined) org.name = changes.name;
      if (changes.public !== undefined) org.public = changes.public;
      bump(model);
    }),
    versioned: true,
    check: (data) => {
      expectEqual(data.name, org.name, 'name');
      expectEqual(data.public, org.public, 'public');
      expectEqual(data.role, roleOf(org, actor.uid) ?? null, 'role');
    },
  };
}

export function updateStep(
  model: Model,
  actor: CastMember,
  changes: { name?: string; public?: boolean },
  ifMatch: IfMatch,
): Step {
  const org = model.org;
  const call: Call = {
    method: 'patch',
    path: orgPath(model),
    body: changes,
    ifMatch: ifMatchHeader(model, ifMatch),
  };
  if (!visible(org, actor)) return { actor, call, verdict: refuse(404, 'not-found') };
  if (isStale(model, ifMatch)) return stale(actor, call);
  return updateVerdict(model, org, actor, call, changes, 200);
}

export function archiveStep(
  model: Model,
  actor: CastMember,
  archived: boolean,
  ifMatch: IfMatch,
): Step {
  const org = model.org;
  const call: Call = archived
    ? { method: 'delete', path: orgPath(model), ifMatch: ifMatchHeader(model, ifMatch) }
    : { method: 'post', path: orgPath(model, '/restore'), ifMatch: ifMatchHeader(model, ifMatch) };
  if (!visible(org, actor)) return { actor, call, verdict: refuse(404, 'not-found') };
  if (rightsOf(org, actor) !== 'owner') {
    return { actor, call, verdict: refuse(403, 'permission-denied') };
  }
  if (isStale(model, ifMatch)) return stale(actor, call);
  if (org.archived === archived)
    return { actor, call, verdict: refuse(409, 'failed-precondition') };
  return {
    actor,
    call,
    verdict: ok(200, () => {
      org.archived = archived;
      bump(model);
    }),
    versioned: true,
    check: (data) => expectEqual(data.archived, archived, 'archived'),
  };
}

export function purgeStep(model: Model, actor: CastMember, ifMatch: IfMatch): Step {
  const org = model.org;
  const call: Call = {
    method: 'delete',
    path: orgPath(model, '?purge=true'),
    ifMatch: ifMatchHeader(model, ifMatch),
  };
  if (!visible(org, actor)) return { actor, call, verdict: refuse(404, 'not-found') };
  if (rightsOf(org, actor) !== 'owner') {
    return { actor, call, verdict: refuse(403, 'permission-denied') };
  }
  if (isStale(model, ifMatch)) return stale(actor, call);
  if (!org.archived) return { actor, call, verdict: refuse(409, 'failed-precondition') };
  return {
    actor,
    call,
    verdict: ok(200, () => {
      model.org = null;
      model.purged = true;
      model.audit = 0;
    }),
    check: (data) =>
      expectEqual(data, { organization_id: model.orgId, purged: true }, 'purge answer'),
  };
}

// ---- Team -----------------------------------------------------------------------------------

/**
 * The checks every team write shares, in the API's order: 404 for a caller who cannot see the
 * organization, 409 when it is archived (unless the write allows that). Then the write's own
 * refusals; a stale `If-Match` comes last.
 */
function teamGate(
  model: Model,
  actor: CastMember,
  call: Call,
  archivedAllowed = false,
): Step | OrgModel {
  const org = model.org;
  if (!visible(org, actor)) return { actor, call, verdict: refuse(404, 'not-found') };
  if (org.archived && !archivedAllowed) {
    return { actor, call, verdict: refuse(409, 'failed-precondition') };
  }
  return org;
}

const isStep = (value: Step | OrgModel): value is Step => 'verdict' in value;
const stale = (actor: CastMember, call: Call): Step => ({
  actor,
  call,
  verdict: refuse(412, 'failed-precondition'),
});

export function addMemberStep(
  model: Model,
  actor: CastMember,
  target: CastMember,
  role: GrantableRole,
  ifMatch: IfMatch,
): Step {
  const call: Call = {
    method: 'post',
    path: orgPath(model, '/team'),
    body: { uid: target.uid, role },
    ifMatch: ifMatchHeader(model, ifMatch),
  };
  const gate = teamGate(model, actor, call);
  if (isStep(gate)) return gate;
  const org = gate;
  const rights = rightsOf(org, actor);
  if (!atLeast(rights, 'admin')) return { actor, call, verdict: refuse(403, 'permission-denied') };
  if (role === 'admin' && rights !== 'owner') {
    return { actor, call, verdict: refuse(403, 'permission-denied') };
  }
  if (isStale(model, ifMatch)) return stale(actor, call);
  const current = roleOf(org, target.uid);
  if (current) {
    return {
      actor,
      call,
      verdict: ok(200),
      versioned: true,
      check: (data) =>
        expectEqual(
          [data.uid, data.role, data.status],
          [target.uid, current, 'already_member'],
          'already a member',
        ),
    };
  }
  if (actor.platform) {
    return {
      actor,
      call,
      verdict: ok(201, () => {
        org.roles.set(target.uid, role);
        bump(model);
      }),
      versioned: true,
      check: (data) =>
        expectEqual([data.uid, data.role, data.status], [target.uid, role, 'added'], 'added'),
    };
  }
  const pending = pendingForUid(org, target.uid);
  if (pending) {
    return {
      actor,
      call,
      verdict: ok(200),
      versioned: true,
      check: (data) =>
        expectEqual(
          [data.status, data.invitation_id],
          ['invited', pending.id],
          'invited again: the pending invitation',
        ),
    };
  }
  return {
    actor,
    call,
    verdict: ok(201, () => {
      model.audit += 1;
    }),
    versioned: true,
    record: (data) => {
      org.invitations.push({
        id: data.invitation_id as string,
        uid: target.uid,
        email: null,
        role,
        status: 'pending',
        resent: false,
      });
    },
    check: (data) => expectEqual([data.uid, data.status], [target.uid, 'invited'], 'invited'),
  };
}

export function setRoleStep(
  model: Model,
  actor: CastMember,
  target: CastMember,
  role: GrantableRole,
  ifMatch: IfMatch,
): Step {
  const call: Call = {
    method: 'patch',
    path: orgPath(model, `/team/${target.uid}`),
    body: { role },
    ifMatch: ifMatchHeader(model, ifMatch),
  };
  const gate = teamGate(model, actor, call);
  if (isStep(gate)) return gate;
  const org = gate;
  const rights = rightsOf(org, actor);
  if (!atLeast(rights, 'admin')) return { actor, call, verdict: refuse(403, 'permission-denied') };
  const current = roleOf(org, target.uid);
  if (!current) return { actor, call, verdict: refuse(404, 'not-found') };
  if (current === 'owner') return { actor, call, verdict: refuse(409, 'failed-precondition') };
  if ((current === 'admin' || role === 'admin') && rights !== 'owner') {
    return { actor, call, verdict: refuse(403, 'permission-denied') };
  }
  if (isStale(model, ifMatch)) return stale(actor, call);
  return {
    actor,
    call,
    verdict: ok(200, () => {
      if (current === role) return;
      org.roles.set(target.uid, role);
      bump(model);
    }),
    versioned: true,
    check: (data) => expectEqual([data.uid, data.role], [target.uid, role], 'member'),
  };
}

export function removeStep(
  model: Model,
  actor: CastMember,
  target: CastMember,
  ifMatch: IfMatch,
): Step {
  const self = actor.uid === target.uid;
  const call: Call = {
    method: 'delete',
    path: orgPath(model, `/team/${target.uid}`),
    ifMatch: ifMatchHeader(model, ifMatch),
  };
  const gate = teamGate(model, actor, call, true);
  if (isStep(gate)) return gate;
  const org = gate;
  const rights = rightsOf(org, actor);
  if (!self && !atLeast(rights, 'admin')) {
    return { actor, call, verdict: refuse(403, 'permission-denied') };
  }
  if (!self && org.archived) return { actor, call, verdict: refuse(409, 'failed-precondition') };
  const current = roleOf(org, target.uid);
  if (!current) return { actor, call, verdict: refuse(404, 'not-found') };
  if (current === 'owner') return { actor, call, verdict: refuse(409, 'failed-precondition') };
  if (!self && current === 'admin' && rights !== 'owner') {
    return { actor, call, verdict: refuse(403, 'permission-denied') };
  }
  if (isStale(model, ifMatch)) return stale(actor, call);
  return {
    actor,
    call,
    verdict: ok(200, () => {
      org.roles.delete(target.uid);
      bump(model);
    }),
    versioned: true,
    check: (data) =>
      expectEqual(
        data,
        { organization_id: model.orgId, uid: target.uid, removed: true },
        'removed',
      ),
  };
}

export function leaveStep(model: Model, actor: CastMember, ifMatch: IfMatch): Step {
  const call: Call = {
    method: 'post',
    path: orgPath(model, '/leave'),
    ifMatch: ifMatchHeader(model, ifMatch),
  };
  const gate = teamGate(model, actor, call, true);
  if (isStep(gate)) return gate;
  const org = gate;
  const current = roleOf(org, actor.uid);
  if (!current || current === 'owner') {
    return { actor, call, verdict: refuse(409, 'failed-precondition') };
  }
  if (isStale(model, ifMatch)) return stale(actor, call);
  return {
    actor,
    call,
    verdict: ok(200, () => {
      org.roles.delete(actor.uid);
      bump(model);
    }),
    versioned: true,
    check: (data) => expectEqual(data, { organization_id: model.orgId, left: true }, 'left'),
  };
}

export function transferStep(
  model: Model,
  actor: CastMember,
  target: CastMember,
  ifMatch: IfMatch,
): Step {
  const call: Call = {
    method: 'post',
    path: orgPath(model, '/transfer'),
    body: { uid: target.uid },
    ifMatch: ifMatchHeader(model, ifMatch),
  };
  const gate = teamGate(model, actor, call);
  if (isStep(gate)) return gate;
  const org = gate;
  if (rightsOf(org, actor) !== 'owner') {
    return { actor, call, verdict: refuse(403, 'permission-denied') };
  }
  if (!roleOf(org, target.uid)) return { actor, call, verdict: refuse(404, 'not-found') };
  if (isStale(model, ifMatch)) return stale(actor, call);
  const previous = org.owner;
  return {
    actor,
    call,
    verdict: ok(200, () => {
      if (previous === target.uid) return;
      org.roles.set(previous, 'admin');
      org.roles.set(target.uid, 'owner');
      org.owner = target.uid;
      bump(model);
    }),
    versioned: true,
    check: (data) =>
      expectEqual(
        data,
        { organization_id: model.orgId, owner: target.uid, previous_owner: previous },
        'transferred',
      ),
  };
}

// ---- Invitations ------------------------------------------------------------------------------

export function inviteStep(
  model: Model,
  actor: CastMember,
  target: CastMember,
  role: GrantableRole,
  ifMatch: IfMatch,
): Step {
  const call: Call = {
    method: 'post',
    path: orgPath(model, '/invitations'),
    body: { email: target.email, role },
    ifMatch: ifMatchHeader(model, ifMatch),
  };
  const gate = teamGate(model, actor, call);
  if (isStep(gate)) return gate;
  const org = gate;
  const rights = rightsOf(org, actor);
  if (!atLeast(rights, 'admin')) return { actor, call, verdict: refuse(403, 'permission-denied') };
  if (role === 'admin' && rights !== 'owner') {
    return { actor, call, verdict: refuse(403, 'permission-denied') };
  }
  if (org.roles.has(target.uid) || pendingForEmail(org, target.email)) {
    return { actor, call, verdict: refuse(409, 'already-exists') };
  }
  if (isStale(model, ifMatch)) return stale(actor, call);
  return {
    actor,
    call,
    verdict: ok(201, () => {
      model.audit += 1;
    }),
    versioned: true,
    record: (data) => {
      org.invitations.push({
        id: data.id as string,
        uid: null,
        email: target.email,
        role,
        status: 'pending',
        resent: false,
      });
    },
    check: (data) =>
      expectEqual([data.email, data.role, data.status], [target.email, role, 'pending'], 'invite'),
  };
}

export function revokeStep(
  model: Model,
  actor: CastMember,
  k: InvitationRef,
  ifMatch: IfMatch,
): Step {
  const invitation = invitationAt(model.org, k);
  const id = invitation?.id ?? BOGUS_INVITATION;
  const call: Call = {
    method: 'delete',
    path: orgPath(model, `/invitations/${id}`),
    ifMatch: ifMatchHeader(model, ifMatch),
  };
  const gate = teamGate(model, actor, call);
  if (isStep(gate)) return gate;
  if (!atLeast(rightsOf(gate, actor), 'admin')) {
    return { actor, call, verdict: refuse(403, 'permission-denied') };
  }
  if (!invitation) return { actor, call, verdict: refuse(404, 'not-found') };
  if (invitation.status !== 'pending') {
    return { actor, call, verdict: refuse(409, 'failed-precondition') };
  }
  if (isStale(model, ifMatch)) return stale(actor, call);
  return {
    actor,
    call,
    verdict: ok(200, () => {
      invitation.status = 'revoked';
      model.audit += 1;
    }),
    versioned: true,
    check: (data) =>
      expectEqual(
        data,
        { organization_id: model.orgId, invitation_id: id, revoked: true },
        'revoked',
      ),
  };
}

export function resendStep(model: Model, actor: CastMember, k: InvitationRef): Step {
  const invitation = invitationAt(model.org, k);
  const id = invitation?.id ?? BOGUS_INVITATION;
  const call: Call = { method: 'post', path: orgPath(model, `/invitations/${id}/resend`) };
  const gate = teamGate(model, actor, call);
  if (isStep(gate)) return gate;
  if (!atLeast(rightsOf(gate, actor), 'admin')) {
    return { actor, call, verdict: refuse(403, 'permission-denied') };
  }
  if (!invitation) return { actor, call, verdict: refuse(404, 'not-found') };
  if (invitation.status !== 'pending') {
    return { actor, call, verdict: refuse(409, 'failed-precondition') };
  }
  if (invitation.resent) return { actor, call, verdict: refuse(429, 'resource-exhausted') };
  return {
    actor,
    call,
    verdict: ok(200, () => {
      invitation.resent = true;
      model.audit += 1;
    }),
    versioned: true,
    check: (data) => expectEqual([data.id, data.status], [id, 'pending'], 'resent'),
  };
}

/** Whose an invitation is: the invited account, or the account with the invited address. */
export function isInvitee(invitation: InvitationModel, actor: CastMember): boolean {
  return invitation.uid !== null ? invitation.uid === actor.uid : invitation.email === actor.email;
}

export function answerStep(
  model: Model,
  actor: CastMember,
  k: InvitationRef,
  accept: boolean,
): Step {
  const invitation = invitationAt(model.org, k);
  const id = invitation?.id ?? BOGUS_INVITATION;
  const call: Call = {
    method: 'post',
    path: `/api/invitations/${id}/${accept ? 'accept' : 'decline'}`,
  };
  const org = model.org;
  if (!invitation || !org) return { actor, call, verdict: refuse(404, 'not-found') };
  if (!isInvitee(invitation, actor)) {
    return { actor, call, verdict: refuse(403, 'permission-denied') };
  }
  if (invitation.status !== 'pending') {
    return { actor, call, verdict: refuse(409, 'failed-precondition') };
  }
  if (accept && org.archived) return { actor, call, verdict: refuse(409, 'failed-precondition') };
  if (!accept) {
    return {
      actor,
      call,
      verdict: ok(200, () => {
        invitation.status = 'declined';
        model.audit += 1;
      }),
      check: (data) =>
        expectEqual(
          data,
          { organization_id: model.orgId, invitation_id: id, declined: true },
          'declined',
        ),
    };
  }
  const current = roleOf(org, actor.uid);
  return {
    actor,
    call,
    verdict: ok(200, () => {
      invitation.status = 'accepted';
      if (current) {
        model.audit += 1;
      } else {
        org.roles.set(actor.uid, invitation.role);
        bump(model);
      }
    }),
    check: (data) =>
      expectEqual(
        data,
        { organization_id: model.orgId, role: current ?? invitation.role },
        'accepted',
      ),
  };
}

// ---- Secrets -----------------------------------------------------------------------------------

let secretCount = 0;

/** A fresh secret value, recognizable in any body, document or log line it should never be in. */
export function secretValue(long: boolean): string {
  secretCount += 1;
  const value = `sv${process.pid}x${secretCount}`;
  return long ? `${value}${'k'.repeat(20)}${secretCount % 10}` : value;
}

function secretGate(
  model: Model,
  actor: CastMember,
  call: Call,
  ifMatch: IfMatch,
): Step | OrgModel {
  const org = model.org;
  if (!visible(org, actor)) return { actor, call, verdict: refuse(404, 'not-found') };
  if (!atLeast(rightsOf(org, actor), 'admin')) {
    return { actor, call, verdict: refuse(403, 'permission-denied') };
  }
  if (org.archived) return { actor, call, verdict: refuse(409, 'failed-precondition') };
  if (isStale(model, ifMatch)) return stale(actor, call);
  return org;
}

export function putSecretStep(
  model: Model,
  real: Real,
  actor: CastMember,
  name: string,
  long: boolean,
  ifMatch: IfMatch,
  given?: string,
): Step {
  const value = given ?? secretValue(long);
  real.secrets.push(value);
  const call: Call = {
    method: 'put',
    path: orgPath(model, `/secrets/${name}`),
    body: { value },
    ifMatch: ifMatchHeader(model, ifMatch),
  };
  const gate = secretGate(model, actor, call, ifMatch);
  if (isStep(gate)) return gate;
  const org = gate;
  const last4 = long ? value.slice(-4) : '';
  return {
    actor,
    call,
    verdict: ok(org.secrets.has(name) ? 200 : 201, () => {
      org.secrets.set(name, { name, last4 });
      model.audit += 1;
    }),
    versioned: true,
    check: (data) => expectEqual([data.name, data.last4], [name, last4], 'secret'),
  };
}

export function deleteSecretStep(
  model: Model,
  actor: CastMember,
  name: string,
  ifMatch: IfMatch,
): Step {
  const call: Call = {
    method: 'delete',
    path: orgPath(model, `/secrets/${name}`),
    ifMatch: ifMatchHeader(model, ifMatch),
  };
  const gate = secretGate(model, actor, call, ifMatch);
  if (isStep(gate)) return gate;
  const org = gate;
  if (!org.secrets.has(name)) return { actor, call, verdict: refuse(404, 'not-found') };
  return {
    actor,
    call,
    verdict: ok(200, () => {
      org.secrets.delete(name);
      model.audit += 1;
    }),
    versioned: true,
    check: (data) =>
      expectEqual(data, { organization_id: model.orgId, name, deleted: true }, 'secret deleted'),
  };
}

// ---- API keys ----------------------------------------------------------------------------------

export function createKeyStep(model: Model, actor: CastMember, write: boolean): Step {
  const scopes = write ? ['read', 'write'] : ['read'];
  return {
    actor,
    call: { method: 'post', path: '/api/auth/keys', body: { name: 'model key', scopes } },
    verdict: ok(201),
    record: (data) => {
      model.keys.push({
        id: data.key_id as string,
        raw: data.key as string,
        uid: actor.uid,
        write,
        revoked: false,
      });
    },
    check: (data) => {
      expectEqual([String(data.key).startsWith('orgk_'), data.scopes], [true, scopes], 'key');
    },
  };
}

/** Revokes the `k`th key of the sequence: only its owner may (anyone else gets 404). */
export function revokeKeyStep(model: Model, actor: CastMember, k: number): Step {
  const key = model.keys.length ? model.keys[k % model.keys.length] : null;
  const id = key?.id ?? 'AAAAAAAAAAAA';
  const call: Call = { method: 'delete', path: `/api/auth/keys/${id}` };
  if (!key || key.uid !== actor.uid || key.revoked) {
    return { actor, call, verdict: refuse(404, 'not-found') };
  }
  return {
    actor,
    call,
    verdict: ok(200, () => {
      key.revoked = true;
    }),
    check: (data) => expectEqual(data, { key_id: id, revoked: true }, 'key revoked'),
  };
}

// ---- Arbitraries ------------------------------------------------------------------------------

const who: fc.Arbitrary<Who> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('owner' as const) },
  { weight: 3, arbitrary: fc.record({ team: fc.nat(5) }) },
  { weight: 4, arbitrary: fc.nat(ACTORS - 1) },
);
const target = fc.nat(ACTORS - 1);
const role = fc.constantFrom(...GRANTABLE);
const ifMatch: fc.Arbitrary<IfMatch> = fc.constantFrom('none', 'none', 'current', 'stale');
const invitationIndex = fc.nat(8);
/** Mostly an ID token; sometimes one of the sequence's API keys. */
const credential = fc.option(fc.nat(7), { freq: 5, nil: null });
const secretName = fc.constantFrom('metrc', 'biotrack');

const by = (w: Who, model: Model, real: Real) => resolve(w, model, real.cast);
const show = (w: Who) =>
  w === 'owner' ? 'owner' : typeof w === 'object' ? `team${w.team}` : `#${w}`;

/** A command: its label, how its step is built, and the API key it is sent with, if any. */
const command = <T extends unknown[]>(
  args: fc.Arbitrary<[...T]>,
  label: (...args: T) => string,
  build: (...args: T) => Build,
): fc.Arbitrary<fc.AsyncCommand<Model, Real>> =>
  fc
    .tuple(args, credential)
    .map(([values, key]) => new StepCommand(label(...values), build(...values), key));

/** The commands of every write route, with their arguments. */
export const organizationCommands: fc.Arbitrary<fc.AsyncCommand<Model, Real>>[] = [
  command(
    fc.tuple(who, fc.constantFrom('Alpha Labs', 'Beta Labs')),
    (w, name) => `create(${show(w)}, ${name})`,
    (w, name) => (m, r, as) => createStep(m, as ?? by(w, m, r), name),
  ),
  command(
    fc.tuple(
      who,
      fc.oneof(
        fc.record({ name: fc.constantFrom('Alpha Labs', 'Gamma Labs') }),
        fc.record({ public: fc.boolean() }),
      ),
      ifMatch,
    ),
    (w, changes, im) => `update(${show(w)}, ${JSON.stringify(changes)}, ${im})`,
    (w, changes, im) => (m, r, as) => updateStep(m, as ?? by(w, m, r), changes, im),
  ),
  command(
    fc.tuple(who, fc.boolean(), ifMatch),
    (w, archived, im) => `${archived ? 'archive' : 'restore'}(${show(w)}, ${im})`,
    (w, archived, im) => (m, r, as) => archiveStep(m, as ?? by(w, m, r), archived, im),
  ),
  command(
    fc.tuple(who, ifMatch),
    (w, im) => `purge(${show(w)}, ${im})`,
    (w, im) => (m, r, as) => purgeStep(m, as ?? by(w, m, r), im),
  ),
  command(
    fc.tuple(who, target, role, ifMatch),
    (w, t, ro, im) => `addMember(${show(w)}, #${t}, ${ro}, ${im})`,
    (w, t, ro, im) => (m, r, as) => addMemberStep(m, as ?? by(w, m, r), by(t, m, r), ro, im),
  ),
  command(
    fc.tuple(who, target, role, ifMatch),
    (w, t, ro, im) => `setRole(${show(w)}, #${t}, ${ro}, ${im})`,
    (w, t, ro, im) => (m, r, as) => setRoleStep(m, as ?? by(w, m, r), by(t, m, r), ro, im),
  ),
  command(
    fc.tuple(who, target, ifMatch),
    (w, t, im) => `remove(${show(w)}, #${t}, ${im})`,
    (w, t, im) => (m, r, as) => removeStep(m, as ?? by(w, m, r), by(t, m, r), im),
  ),
  command(
    fc.tuple(target, ifMatch),
    (w, im) => `leave(#${w}, ${im})`,
    (w, im) => (m, r, as) => leaveStep(m, as ?? by(w, m, r), im),
  ),
  command(
    fc.tuple(who, target, ifMatch),
    (w, t, im) => `transfer(${show(w)}, #${t}, ${im})`,
    (w, t, im) => (m, r, as) => transferStep(m, as ?? by(w, m, r), by(t, m, r), im),
  ),
  command(
    fc.tuple(who, target, role, ifMatch),
    (w, t, ro, im) => `invite(${show(w)}, #${t}, ${ro}, ${im})`,
    (w, t, ro, im) => (m, r, as) => inviteStep(m, as ?? by(w, m, r), by(t, m, r), ro, im),
  ),
  command(
    fc.tuple(who, invitationIndex, ifMatch),
    (w, k, im) => `revoke(${show(w)}, inv${k}, ${im})`,
    (w, k, im) => (m, r, as) => revokeStep(m, as ?? by(w, m, r), k, im),
  ),
  command(
    fc.tuple(who, invitationIndex),
    (w, k) => `resend(${show(w)}, inv${k})`,
    (w, k) => (m, r, as) => resendStep(m, as ?? by(w, m, r), k),
  ),
  command(
    fc.tuple(fc.option(target, { freq: 3 }), invitationIndex, fc.boolean()),
    (t, k, accept) =>
      `${accept ? 'accept' : 'decline'}(${t === null ? 'invitee' : `#${t}`}, inv${k})`,
    (t, k, accept) => (m, r, as) => {
      const invitation = invitationAt(m.org, k);
      const invitee =
        t === null && invitation ? r.cast.actors.find((a) => isInvitee(invitation, a)) : undefined;
      return answerStep(m, as ?? invitee ?? by(t ?? 0, m, r), k, accept);
    },
  ),
  command(
    fc.tuple(who, secretName, fc.boolean(), ifMatch),
    (w, name, long, im) => `putSecret(${show(w)}, ${name}, ${long ? 'long' : 'short'}, ${im})`,
    (w, name, long, im) => (m, r, as) => putSecretStep(m, r, as ?? by(w, m, r), name, long, im),
  ),
  command(
    fc.tuple(who, secretName, ifMatch),
    (w, name, im) => `deleteSecret(${show(w)}, ${name}, ${im})`,
    (w, name, im) => (m, r, as) => deleteSecretStep(m, as ?? by(w, m, r), name, im),
  ),
];

/** API keys are made and revoked with ID tokens (a key cannot mint keys). */
export const keyCommands: fc.Arbitrary<fc.AsyncCommand<Model, Real>>[] = [
  fc
    .tuple(who, fc.boolean())
    .map(
      ([w, write]) =>
        new StepCommand(`createKey(${show(w)}, ${write ? 'read+write' : 'read'})`, (m, r) =>
          createKeyStep(m, by(w, m, r), write),
        ),
    ),
  fc.tuple(fc.option(target, { freq: 4 }), fc.nat(7)).map(
    ([t, k]) =>
      new StepCommand(`revokeKey(${t === null ? 'its owner' : `#${t}`}, key${k})`, (m, r) => {
        const key = m.keys.length ? m.keys[k % m.keys.length] : null;
        const owner = key && r.cast.actors.find((a) => a.uid === key.uid);
        return revokeKeyStep(m, t === null && owner ? owner : by(t ?? 0, m, r), k);
      }),
  ),
];

export { teamOf };
