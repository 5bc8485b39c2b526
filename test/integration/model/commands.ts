// The commands of the model-based suite: one per write route. Each decides the answer the model
// expects (status, error code, the fields that matter), sends the request to the in-process app,
// checks the answer, and only then applies the write to the model.
import fc from 'fast-check';
import request from 'supertest';
import { app, bearer } from '../../helpers/api';
import type { Cast, CastMember } from './cast';
import { ACTORS } from './cast';
import {
  atLeast,
  bump,
  ifMatchHeader,
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
  /** Every response body seen, for the no-secret and no-5xx checks. */
  bodies: string[];
}

/** A caller by index into the cast, or whoever owns the organization now. */
export type Who = number | 'owner' | { team: number };

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

interface Call {
  method: Method;
  path: string;
  body?: object;
  ifMatch?: string;
  headers?: Record<string, string>;
}

/** One step: the request, the model's verdict, and a check of a 2xx body after the model moved. */
interface Step {
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

/** The `k`th invitation the model knows, or one that does not exist. */
function invitationAt(org: OrgModel | null, k: number): InvitationModel | null {
  if (!org || org.invitations.length === 0 || k === 0) return null;
  return org.invitations[(k - 1) % org.invitations.length];
}

/** Sends one step's request and checks the answer against the model's verdict. */
export async function perform(model: Model, real: Real, step: Step): Promise<void> {
  const { call, verdict } = step;
  let test = request(app)[call.method](call.path);
  const credential = step.credential ?? step.actor?.user.idToken;
  if (credential) test = test.set(bearer(credential));
  if (call.ifMatch) test = test.set('If-Match', call.ifMatch);
  for (const [name, value] of Object.entries(call.headers ?? {})) test = test.set(name, value);
  const response = call.body === undefined ? await test : await test.send(call.body);
  model.stats.commands += 1;
  real.bodies.push(response.text);
  const where = `${call.method.toUpperCase()} ${call.path} as ${step.actor?.name ?? 'nobody'}`;
  if (response.status >= 500) {
    throw new ModelFailure(`${where}: ${response.status} ${response.text}`);
  }
  const body = response.body as {
    success: boolean;
    data?: Record<string, unknown>;
    error?: { code: string };
  };
  if (response.status !== verdict.status || (verdict.code && body.error?.code !== verdict.code)) {
    throw new ModelFailure(
      `${where}: expected ${verdict.status}${verdict.code ? ` ${verdict.code}` : ''}, got ${response.status} ${response.text}`,
    );
  }
  if (verdict.code) {
    expectEqual(body.success, false, `${where}: success`);
    model.stats.refused += 1;
    return;
  }
  expectEqual(body.success, true, `${where}: success`);
  model.stats.ok += 1;
  verdict.apply?.();
  step.record?.(body.data ?? {});
  if (step.versioned && model.org) {
    expectEqual(response.headers.etag, `"${model.org.version}"`, `${where}: ETag`);
  }
  step.check?.(body.data ?? {}, model);
}

/** A fast-check command around a step built from the model at run time. */
class StepCommand implements fc.AsyncCommand<Model, Real> {
  private resolved = '';
  constructor(
    private readonly label: string,
    private readonly build: (model: Model, real: Real) => Step,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    const step = this.build(model, real);
    this.resolved = ` [${step.actor?.name ?? 'nobody'}: ${step.call.method.toUpperCase()} ${step.call.path}${step.call.body ? ` ${JSON.stringify(step.call.body)}` : ''}${step.call.ifMatch ? ` If-Match ${step.call.ifMatch}` : ''} → ${step.verdict.status}${step.verdict.code ? ` ${step.verdict.code}` : ''}]`;
    await perform(model, real, step);
  }
  toString(): string {
    return `${this.label}${this.resolved}`;
  }
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
  if (ifMatch === 'stale') return { actor, call, verdict: refuse(412, 'failed-precondition') };
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
  if (ifMatch === 'stale') return { actor, call, verdict: refuse(412, 'failed-precondition') };
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
  if (ifMatch === 'stale') return { actor, call, verdict: refuse(412, 'failed-precondition') };
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
  if (ifMatch === 'stale') return stale(actor, call);
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
  if (ifMatch === 'stale') return stale(actor, call);
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
  if (ifMatch === 'stale') return stale(actor, call);
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
  if (ifMatch === 'stale') return stale(actor, call);
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
  if (ifMatch === 'stale') return stale(actor, call);
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
  if (ifMatch === 'stale') return stale(actor, call);
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

export function revokeStep(model: Model, actor: CastMember, k: number, ifMatch: IfMatch): Step {
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
  if (ifMatch === 'stale') return stale(actor, call);
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

export function resendStep(model: Model, actor: CastMember, k: number): Step {
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
function isInvitee(invitation: InvitationModel, actor: CastMember): boolean {
  return invitation.uid !== null ? invitation.uid === actor.uid : invitation.email === actor.email;
}

export function answerStep(model: Model, actor: CastMember, k: number, accept: boolean): Step {
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

const command = (
  label: string,
  build: (model: Model, real: Real) => Step,
): fc.AsyncCommand<Model, Real> => new StepCommand(label, build);

const by = (w: Who, model: Model, real: Real) => resolve(w, model, real.cast);
const show = (w: Who) =>
  w === 'owner' ? 'owner' : typeof w === 'object' ? `team${w.team}` : `#${w}`;

/** The commands of the organization, team and invitation routes, with their arguments. */
export const organizationCommands: fc.Arbitrary<fc.AsyncCommand<Model, Real>>[] = [
  fc
    .tuple(who, fc.constantFrom('Alpha Labs', 'Beta Labs'))
    .map(([w, name]) =>
      command(`create(${show(w)}, ${name})`, (m, r) => createStep(m, by(w, m, r), name)),
    ),
  fc
    .tuple(
      who,
      fc.oneof(
        fc.record({ name: fc.constantFrom('Alpha Labs', 'Gamma Labs') }),
        fc.record({ public: fc.boolean() }),
      ),
      ifMatch,
    )
    .map(([w, changes, im]) =>
      command(`update(${show(w)}, ${JSON.stringify(changes)}, ${im})`, (m, r) =>
        updateStep(m, by(w, m, r), changes, im),
      ),
    ),
  fc
    .tuple(who, fc.boolean(), ifMatch)
    .map(([w, archived, im]) =>
      command(`${archived ? 'archive' : 'restore'}(${show(w)}, ${im})`, (m, r) =>
        archiveStep(m, by(w, m, r), archived, im),
      ),
    ),
  fc
    .tuple(who, ifMatch)
    .map(([w, im]) => command(`purge(${show(w)}, ${im})`, (m, r) => purgeStep(m, by(w, m, r), im))),
  fc
    .tuple(who, target, role, ifMatch)
    .map(([w, t, ro, im]) =>
      command(`addMember(${show(w)}, #${t}, ${ro}, ${im})`, (m, r) =>
        addMemberStep(m, by(w, m, r), by(t, m, r), ro, im),
      ),
    ),
  fc
    .tuple(who, target, role, ifMatch)
    .map(([w, t, ro, im]) =>
      command(`setRole(${show(w)}, #${t}, ${ro}, ${im})`, (m, r) =>
        setRoleStep(m, by(w, m, r), by(t, m, r), ro, im),
      ),
    ),
  fc
    .tuple(who, target, ifMatch)
    .map(([w, t, im]) =>
      command(`remove(${show(w)}, #${t}, ${im})`, (m, r) =>
        removeStep(m, by(w, m, r), by(t, m, r), im),
      ),
    ),
  fc
    .tuple(target, ifMatch)
    .map(([w, im]) => command(`leave(#${w}, ${im})`, (m, r) => leaveStep(m, by(w, m, r), im))),
  fc
    .tuple(who, target, ifMatch)
    .map(([w, t, im]) =>
      command(`transfer(${show(w)}, #${t}, ${im})`, (m, r) =>
        transferStep(m, by(w, m, r), by(t, m, r), im),
      ),
    ),
  fc
    .tuple(who, target, role, ifMatch)
    .map(([w, t, ro, im]) =>
      command(`invite(${show(w)}, #${t}, ${ro}, ${im})`, (m, r) =>
        inviteStep(m, by(w, m, r), by(t, m, r), ro, im),
      ),
    ),
  fc
    .tuple(who, invitationIndex, ifMatch)
    .map(([w, k, im]) =>
      command(`revoke(${show(w)}, inv${k}, ${im})`, (m, r) => revokeStep(m, by(w, m, r), k, im)),
    ),
  fc
    .tuple(who, invitationIndex)
    .map(([w, k]) =>
      command(`resend(${show(w)}, inv${k})`, (m, r) => resendStep(m, by(w, m, r), k)),
    ),
  fc.tuple(fc.option(target, { freq: 3 }), invitationIndex, fc.boolean()).map(([t, k, accept]) =>
    command(
      `${accept ? 'accept' : 'decline'}(${t === null ? 'invitee' : `#${t}`}, inv${k})`,
      (m, r) => {
        const invitation = invitationAt(m.org, k);
        const invitee =
          t === null && invitation
            ? r.cast.actors.find((a) => isInvitee(invitation, a))
            : undefined;
        return answerStep(m, invitee ?? by(t ?? 0, m, r), k, accept);
      },
    ),
  ),
];

export { teamOf };
