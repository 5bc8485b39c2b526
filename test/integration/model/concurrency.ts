// Concurrent batches: several writes to one organization sent at once. The answers and the final
// state must be those of *some* serial order of the batch: searched over the orders the answers
// allow (each command's status must be the model's verdict at its place in the order), with
// orders that reach the same state merged, so the search stays small.
import fc from 'fast-check';
import { db } from '../../../functions/src/firebase';
import type { CastMember } from './cast';
import {
  addMemberStep,
  agrees,
  answerStep,
  archiveStep,
  createStep,
  deleteSecretStep,
  inviteStep,
  ModelFailure,
  perform,
  putSecretStep,
  removeStep,
  resendStep,
  revokeStep,
  secretValue,
  send,
  setRoleStep,
  transferStep,
  updateStep,
  leaveStep,
  type Answer,
  type Real,
  type Step,
} from './commands';
import { type GrantableRole, type IfMatch, type Model } from './model';

/** One command of a batch: its callers fixed by index, its `If-Match` none or the batch's start. */
export interface BatchCommand {
  label: string;
  build: (model: Model, real: Real) => Step;
}

/** The state a serial order ends in, in a form the stored state is compared with. */
export function snapshot(model: Model) {
  const org = model.org;
  return {
    exists: org !== null,
    name: org?.name,
    public: org?.public,
    archived: org?.archived,
    owner: org?.owner,
    roles: org ? [...org.roles.entries()].map(([uid, role]) => `${uid}:${role}`).sort() : [],
    version: org?.version,
    invitations: org ? org.invitations.map((i) => `${i.id}:${i.status}`).sort() : [],
    secrets: org ? [...org.secrets.keys()].sort() : [],
    audit: model.audit,
  };
}

/** The stored state of the organization, in the snapshot's form. */
export async function storedSnapshot(model: Model) {
  const ref = db().doc(`organizations/${model.orgId}`);
  const [doc, invitations, logs, secrets] = await Promise.all([
    ref.get(),
    ref.collection('invitations').get(),
    ref.collection('logs').count().get(),
    ref.collection('secrets').get(),
  ]);
  const data = doc.data();
  return {
    exists: doc.exists,
    name: data?.name as string | undefined,
    public: data?.public as boolean | undefined,
    archived: data?.archived as boolean | undefined,
    owner: data?.owner as string | undefined,
    roles: Object.entries((data?.roles ?? {}) as Record<string, string>)
      .map(([uid, role]) => `${uid}:${role}`)
      .sort(),
    version: data?.version as number | undefined,
    invitations: invitations.docs.map((d) => `${d.id}:${d.get('status')}`).sort(),
    secrets: secrets.docs.map((d) => d.id).sort(),
    audit: logs.data().count,
  };
}

const clone = (model: Model): Model => structuredClone(model);

/**
 * The serial orders of the batch that explain every answer, each with the model it ends in
 * (orders reaching the same state once).
 */
export function explanations(
  start: Model,
  real: Real,
  batch: BatchCommand[],
  answers: Answer[],
): Model[] {
  let frontier = new Map<string, { model: Model; left: number[] }>([
    ['', { model: clone(start), left: batch.map((_, i) => i) }],
  ]);
  for (let placed = 0; placed < batch.length; placed += 1) {
    const next = new Map<string, { model: Model; left: number[] }>();
    for (const { model, left } of frontier.values()) {
      for (const i of left) {
        const copy = clone(model);
        const step = batch[i].build(copy, { ...real, bodies: [], secrets: [] });
        if (!agrees(step.verdict, answers[i])) continue;
        if (!step.verdict.code) {
          step.verdict.apply?.();
          step.record?.(answers[i].data);
        }
        const rest = left.filter((j) => j !== i);
        next.set(`${rest.join(',')}|${JSON.stringify(snapshot(copy))}`, {
          model: copy,
          left: rest,
        });
      }
    }
    frontier = next;
    if (frontier.size === 0) return [];
  }
  return [...frontier.values()].map(({ model }) => model);
}

/** The arguments of a batch's commands, resolved against the cast and the model at its start. */
interface Spec {
  kind: number;
  actor: number;
  target: number;
  role: GrantableRole;
  conditional: boolean;
  pick: number;
}

const KINDS = [
  'update-name',
  'update-public',
  'archive',
  'restore',
  'add',
  'set-role',
  'remove',
  'leave',
  'transfer',
  'invite',
  'revoke',
  'resend',
  'accept',
  'decline',
  'put-secret',
  'delete-secret',
  'create',
] as const;

export const specs = fc.array(
  fc.record({
    kind: fc.nat(KINDS.length - 1),
    actor: fc.nat(5),
    target: fc.nat(5),
    role: fc.constantFrom<GrantableRole>('admin', 'member', 'viewer'),
    conditional: fc.boolean(),
    pick: fc.nat(3),
  }),
  { minLength: 5, maxLength: 12 },
);

/** Turns specs into batch commands, every argument fixed now (the requests must not move). */
export function batchOf(start: Model, real: Real, list: Spec[]): BatchCommand[] {
  const actors = real.cast.actors;
  const version = start.org?.version ?? 1;
  const invitations = start.org?.invitations ?? [];
  return list.map((spec, n) => {
    const actor: CastMember = actors[spec.actor];
    const target: CastMember = actors[spec.target];
    const im: IfMatch = spec.conditional ? version : 'none';
    const invitation = invitations.length ? invitations[spec.pick % invitations.length] : null;
    const ref = invitation ? { id: invitation.id } : 0;
    const invitee = invitation
      ? (actors.find((a) =>
          invitation.uid ? a.uid === invitation.uid : a.email === invitation.email,
        ) ?? actor)
      : actor;
    const kind = KINDS[spec.kind];
    const value = secretValue(spec.pick % 2 === 0);
    const name = `Name ${n}`;
    const secret = spec.pick % 2 ? 'metrc' : 'biotrack';
    const label = `${kind}(${actor.name}→${target.name}, ${spec.role}, ${spec.conditional ? `If-Match "${version}"` : 'no If-Match'}, pick ${spec.pick})`;
    const build = (m: Model, r: Real): Step => {
      switch (kind) {
        case 'update-name':
          return updateStep(m, actor, { name }, im);
        case 'update-public':
          return updateStep(m, actor, { public: spec.pick % 2 === 0 }, im);
        case 'archive':
          return archiveStep(m, actor, true, im);
        case 'restore':
          return archiveStep(m, actor, false, im);
        case 'add':
          return addMemberStep(m, actor, target, spec.role, im);
        case 'set-role':
          return setRoleStep(m, actor, target, spec.role, im);
        case 'remove':
          return removeStep(m, actor, target, im);
        case 'leave':
          return leaveStep(m, actor, im);
        case 'transfer':
          return transferStep(m, actor, target, im);
        case 'invite':
          return inviteStep(m, actor, target, spec.role, im);
        case 'revoke':
          return revokeStep(m, actor, ref, im);
        case 'resend':
          return resendStep(m, actor, ref);
        case 'accept':
          return answerStep(m, invitee, ref, true);
        case 'decline':
          return answerStep(m, invitee, ref, false);
        case 'put-secret':
          return putSecretStep(m, r, actor, secret, spec.pick % 2 === 0, im, value);
        case 'delete-secret':
          return deleteSecretStep(m, actor, secret, im);
        case 'create':
          return createStep(m, actor, name);
      }
    };
    return { label, build };
  });
}

/**
 * A batch's organization: created by the first account, with an admin, a member and a viewer
 * (added directly by the platform admin), the fifth account invited twice (by uid and by
 * address) and one secret: every command has something to act on.
 */
export async function prepareBatch(model: Model, real: Real): Promise<void> {
  const [owner, admin, member, viewer, outsider, platform] = real.cast.actors;
  await perform(model, real, createStep(model, owner, 'Batch Labs'));
  await perform(model, real, addMemberStep(model, platform, admin, 'admin', 'none'));
  await perform(model, real, addMemberStep(model, platform, member, 'member', 'none'));
  await perform(model, real, addMemberStep(model, platform, viewer, 'viewer', 'none'));
  await perform(model, real, addMemberStep(model, owner, outsider, 'member', 'none'));
  await perform(model, real, inviteStep(model, admin, outsider, 'viewer', 'none'));
  await perform(model, real, putSecretStep(model, real, owner, 'metrc', true, 'none'));
}

/** Sends the batch at once, then checks that some serial order explains it all. */
export async function runBatch(model: Model, real: Real, list: Spec[]): Promise<number> {
  const batch = batchOf(model, real, list);
  const steps = batch.map(({ build }) => build(clone(model), real));
  const answers = await Promise.all(steps.map((step) => send(real, step)));
  model.stats.commands += answers.length;
  const orders = explanations(model, real, batch, answers);
  const labels = batch.map(({ label }, i) => `  ${label} → ${answers[i].status}`).join('\n');
  if (orders.length === 0) {
    throw new ModelFailure(`no serial order of the batch explains its answers:\n${labels}`);
  }
  const stored = await storedSnapshot(model);
  const found = orders.find(
    (candidate) => JSON.stringify(snapshot(candidate)) === JSON.stringify(stored),
  );
  if (!found) {
    throw new ModelFailure(
      `no serial order of the batch ends in the stored state:\n${labels}\nstored: ${JSON.stringify(stored)}\nan order ends in: ${JSON.stringify(snapshot(orders[0]))}`,
    );
  }
  // The invariants (run by `runSequence` next) compare the stored state with this order's.
  Object.assign(model, { org: found.org, audit: found.audit, purged: found.purged });
  return orders.length;
}
