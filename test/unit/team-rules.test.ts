// Pure rules of the team, without the emulator: the membership diff and the version bump that
// comes with it, who may grant admin, whose an invitation is, the resend throttle, the invitee's
// paging, bulk invitations, the views and the add body.
import type { Caller } from '../../functions/src/auth/caller';
import { ApiError } from '../../functions/src/errors';
import type { Profile } from '../../functions/src/model/records';
import type { Access } from '../../functions/src/organizations/access';
import { changeMembership, memberRecord } from '../../functions/src/organizations/membership';
import { MAX_MEMBERS, type Role } from '../../functions/src/organizations/schemas';
import type { OrgTransaction } from '../../functions/src/organizations/store';
import type { InvitationRecord, OrganizationRecord } from '../../functions/src/organizations/types';
import {
  invitationMail,
  inviteAll,
  isInvitee,
  newInvitation,
  pageOfInvitations,
  RESEND_INTERVAL_MS,
  resendWaitSeconds,
} from '../../functions/src/team/invitations';
import { requireAdminRights } from '../../functions/src/team/members';
import { addMembersBody } from '../../functions/src/team/schemas';
import { invitationView, memberView } from '../../functions/src/team/views';
import { commitMembership, notOnTeam } from '../../functions/src/team/writes';

const AT = new Date('2026-12-01T12:00:00.000Z');

/** A transaction that records what it is asked to write, in order. */
function recorder(pending: InvitationRecord[] = []) {
  const writes: unknown[][] = [];
  const record =
    (name: string) =>
    (...args: unknown[]) => {
      writes.push([name, ...args]);
    };
  const transaction = {
    removeMember: record('removeMember'),
    putMember: record('putMember'),
    setRole: record('setRole'),
    update: record('update'),
    log: record('log'),
    putInvitation: record('putInvitation'),
    queueMail: record('queueMail'),
    pendingInvitations: (orgId: string, invitee: { field: string; value: string }) => {
      writes.push(['pendingInvitations', orgId, invitee]);
      return Promise.resolve(
        pending.filter(
          (invitation) => invitation[invitee.field as 'uid' | 'email'] === invitee.value,
        ),
      );
    },
  };
  return { transaction: transaction as unknown as OrgTransaction, writes };
}

const profile = (uid: string): Profile => ({
  uid,
  name: `User ${uid}`,
  email: `${uid}@example.com`,
  photo_url: '',
  position: '',
  type: '',
  phone_number: '',
  license: '',
  signed_in: true,
});

function org(roles: Record<string, Role>, owner = 'olive'): OrganizationRecord {
  return {
    organization_id: 'acme',
    name: 'Acme <Labs>',
    owner,
    team: Object.keys(roles),
    roles,
    version: 7,
    updated_at: new Date('2026-11-01T00:00:00.000Z'),
  } as OrganizationRecord;
}

const caller = (fields: Partial<Caller> = {}): Caller =>
  ({
    uid: 'olive',
    email: 'olive@example.com',
    email_verified: true,
    admin: false,
    credential: 'id_token',
    key_id: null,
    ...fields,
  }) as Caller;

function invitation(fields: Partial<InvitationRecord> = {}): InvitationRecord {
  return {
    invitation_id: 'invitation-0000000000001',
    organization_id: 'acme',
    organization_name: 'Acme',
    email: 'kate@example.com',
    uid: null,
    role: 'member',
    status: 'pending',
    invited_by: 'olive',
    created_at: AT,
    expires_at: new Date(AT.getTime() + 7 * 86_400_000),
    valid_days: 7,
    resent_at: null,
    responded_at: null,
    ...fields,
  };
}

function thrown(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('nothing thrown');
}

describe('changeMembership', () => {
  const team = { olive: 'owner', adam: 'admin', mia: 'member', vic: 'viewer' } as const;

  it('adds a member: one member document, the team appended, their claims affected', () => {
    const { transaction, writes } = recorder();
    const { patch, affected } = changeMembership(
      transaction,
      org({ ...team }),
      { add: [{ profile: profile('nora'), role: 'viewer' }] },
      AT,
    );
    expect(writes).toEqual([['putMember', memberRecord('acme', profile('nora'), 'viewer', AT)]]);
    expect(patch).toEqual({
      team: ['olive', 'adam', 'mia', 'vic', 'nora'],
      roles: { ...team, nora: 'viewer' },
    });
    expect(affected).toEqual(['nora']);
  });

  it('removes and changes roles, keeping the order of those who stay', () => {
    const { transaction, writes } = recorder();
    const { patch, affected } = changeMembership(
      transaction,
      org({ ...team }),
      { remove: ['adam'], setRoles: [{ uid: 'vic', role: 'member' }] },
      AT,
    );
    expect(writes).toEqual([
      ['removeMember', 'acme', 'adam'],
      ['setRole', 'acme', 'vic', 'member'],
    ]);
    expect(patch).toEqual({
      team: ['olive', 'mia', 'vic'],
      roles: { olive: 'owner', mia: 'member', vic: 'member' },
    });
    expect(affected.sort()).toEqual(['adam', 'vic']);
  });

  it('transfers ownership: the new owner owns, the old one stays on as admin', () => {
    const { transaction, writes } = recorder();
    const { patch, affected } = changeMembership(
      transaction,
      org({ ...team }),
      { owner: 'mia' },
      AT,
    );
    expect(patch.owner).toBe('mia');
    expect(patch.roles).toEqual({ olive: 'admin', adam: 'admin', mia: 'owner', vic: 'viewer' });
    expect(writes).toEqual([
      ['setRole', 'acme', 'olive', 'admin'],
      ['setRole', 'acme', 'mia', 'owner'],
    ]);
    expect(affected.sort()).toEqual(['mia', 'olive']);
  });

  it('writes nothing for a transfer to the current owner or a role left as it is', () => {
    const { transaction, writes } = recorder();
    const { patch, affected } = changeMembership(
      transaction,
      org({ ...team }),
      { owner: 'olive', setRoles: [{ uid: 'mia', role: 'member' }] },
      AT,
    );
    expect(writes).toEqual([]);
    expect(affected).toEqual([]);
    expect(patch.owner).toBeUndefined();
    expect(patch.team).toEqual(['olive', 'adam', 'mia', 'vic']);
  });

  it('treats __proto__ and constructor as plain uids', () => {
    const { transaction } = recorder();
    const { patch } = changeMembership(
      transaction,
      org({ olive: 'owner' }),
      {
        add: [
          { profile: profile('__proto__'), role: 'member' },
          { profile: profile('constructor'), role: 'viewer' },
        ],
      },
      AT,
    );
    expect(patch.team).toEqual(['olive', '__proto__', 'constructor']);
    expect(Object.keys(patch.roles!)).toEqual(['olive', '__proto__', 'constructor']);
    expect(Object.hasOwn(patch.roles!, '__proto__')).toBe(true);
  });

  it(`refuses a team over ${MAX_MEMBERS} members`, () => {
    const roles = Object.fromEntries(
      Array.from({ length: MAX_MEMBERS }, (_, i) => [`u${i}`, 'member' as const]),
    );
    const { transaction } = recorder();
    const error = thrown(() =>
      changeMembership(
        transaction,
        org(roles, 'u0'),
        { add: [{ profile: profile('one-more'), role: 'member' }] },
        AT,
      ),
    );
    expect(error.code).toBe('resource-exhausted');
    expect(error.message).toBe(
      `An organization has at most ${MAX_MEMBERS} members; acme would have ${MAX_MEMBERS + 1}.`,
    );
  });
});

describe('commitMembership', () => {
  it('bumps the version and updated_at, with the audit entry, in the same update', () => {
    const { transaction, writes } = recorder();
    const entry = {
      action: 'member.removed',
      actor_uid: 'olive',
      credential: 'id_token' as const,
      key_id: null,
      changed_fields: ['team'],
      target: 'mia',
      at: AT,
    };
    const before = org({ olive: 'owner', mia: 'member' });
    const { org: after, affected } = commitMembership(
      transaction,
      before,
      { remove: ['mia'] },
      entry,
      AT,
    );
    expect(after).toEqual({
      ...before,
      team: ['olive'],
      roles: { olive: 'owner' },
      version: 8,
      updated_at: AT,
    });
    expect(affected).toEqual(['mia']);
    expect(writes).toEqual([
      ['removeMember', 'acme', 'mia'],
      [
        'update',
        'acme',
        { team: ['olive'], roles: { olive: 'owner' }, version: 8, updated_at: AT },
        entry,
        after,
      ],
    ]);
  });
});

describe('who grants admin', () => {
  const access = (rights: Role | null): Access =>
    ({ org: { organization_id: 'acme' }, role: rights, rights }) as Access;

  it.each<[Role | undefined, Role | null, Role, boolean]>([
    ['member', 'viewer', 'admin', true],
    ['member', 'admin', 'admin', false],
    ['admin', 'member', 'admin', false],
    ['admin', null, 'admin', false],
    ['member', 'admin', 'owner', true],
    ['admin', null, 'owner', true],
  ])('%s → %s by an %s: allowed %s', (from, to, rights, allowed) => {
    const run = () => requireAdminRights(access(rights), from, to);
    if (allowed) expect(run).not.toThrow();
    else expect(thrown(run).code).toBe('permission-denied');
  });

  it('names the organization when a uid is not on its team', () => {
    expect(notOnTeam({ organization_id: 'acme' }, 'ghost').message).toBe(
      'ghost is not on the team of acme.',
    );
  });
});

describe('isInvitee', () => {
  it('matches an invitation to an account by uid only', () => {
    const toAccount = invitation({ uid: 'kate', email: null });
    expect(isInvitee(caller({ uid: 'kate' }), toAccount)).toBe(true);
    expect(isInvitee(caller({ uid: 'other', email: 'kate@example.com' }), toAccount)).toBe(false);
  });

  it('matches an invitation to an address only once verified, ASCII case-insensitively', () => {
    const toAddress = invitation();
    expect(isInvitee(caller({ uid: 'k', email: 'Kate@Example.COM' }), toAddress)).toBe(true);
    expect(
      isInvitee(caller({ uid: 'k', email: 'kate@example.com', email_verified: false }), toAddress),
    ).toBe(false);
    expect(isInvitee(caller({ uid: 'k', email: null }), toAddress)).toBe(false);
    // A Kelvin sign (U+212A) is not a `k`.
    expect(isInvitee(caller({ uid: 'k', email: '\u212Aate@example.com' }), toAddress)).toBe(false);
  });
});

describe('resendWaitSeconds', () => {
  it('is 0 for an invitation never resent, or resent ten minutes ago or more', () => {
    expect(resendWaitSeconds({ resent_at: null }, AT)).toBe(0);
    const tenMinutesAgo = new Date(AT.getTime() - RESEND_INTERVAL_MS);
    expect(resendWaitSeconds({ resent_at: tenMinutesAgo }, AT)).toBe(0);
  });

  it('rounds the wait up to whole seconds', () => {
    expect(resendWaitSeconds({ resent_at: AT }, AT)).toBe(600);
    expect(resendWaitSeconds({ resent_at: new Date(AT.getTime() - 1500) }, AT)).toBe(599);
  });
});

describe('pageOfInvitations', () => {
  const at = (minutes: number) => new Date(AT.getTime() + minutes * 60_000);
  const all = [
    invitation({ invitation_id: 'b-invitation-000000001', created_at: at(1) }),
    invitation({ invitation_id: 'a-invitation-000000001', created_at: at(3) }),
    invitation({ invitation_id: 'c-invitation-000000001', created_at: at(3) }),
    invitation({ invitation_id: 'd-invitation-000000001', created_at: at(2) }),
  ];
  const ids = (items: InvitationRecord[]) => items.map((item) => item.invitation_id[0]);

  it('pages newest first, ties by id, with the end of each page but the last', () => {
    const first = pageOfInvitations(all, 2);
    expect(ids(first.items)).toEqual(['c', 'a']);
    expect(first.end).toEqual({ value: at(3), id: 'a-invitation-000000001' });
    const second = pageOfInvitations(all, 2, first.end!);
    expect(ids(second.items)).toEqual(['d', 'b']);
    expect(second.end).toBeNull();
  });

  it('has no end when everything fits', () => {
    expect(pageOfInvitations(all, 4).end).toBeNull();
    expect(pageOfInvitations([], 100)).toEqual({ items: [], end: null });
  });
});

describe('inviteAll', () => {
  it('invites each invitee once, reuses an unexpired pending invitation, mails the new ones', async () => {
    const existing = invitation({
      invitation_id: 'existing-invitation-01',
      email: 'old@example.com',
    });
    const expired = invitation({
      invitation_id: 'expired-invitation-001',
      uid: 'late',
      email: null,
      expires_at: AT,
    });
    const { transaction, writes } = recorder([existing, expired]);
    const results = await inviteAll(
      transaction,
      org({ olive: 'owner' }),
      caller(),
      [
        { invitee: { email: 'old@example.com' }, role: 'member', mailTo: 'old@example.com' },
        { invitee: { email: 'new@example.com' }, role: 'viewer', mailTo: 'new@example.com' },
        { invitee: { email: 'new@example.com' }, role: 'viewer', mailTo: 'new@example.com' },
        { invitee: { uid: 'late' }, role: 'member', mailTo: null },
      ],
      3,
      AT,
    );
    expect(results.map((result) => result.created)).toEqual([false, true, false, true]);
    expect(results[0].invitation).toBe(existing);
    expect(results[2].invitation).toBe(results[1].invitation);
    expect(results[1].invitation).toMatchObject({
      organization_id: 'acme',
      organization_name: 'Acme <Labs>',
      email: 'new@example.com',
      uid: null,
      role: 'viewer',
      status: 'pending',
      invited_by: 'olive',
      expires_at: new Date(AT.getTime() + 3 * 86_400_000),
      valid_days: 3,
    });
    expect(results[3].invitation).toMatchObject({ uid: 'late', email: null });
    const kinds = writes.map(([name]) => name);
    expect(kinds.filter((name) => name === 'pendingInvitations')).toHaveLength(3);
    // Every read before any write (a transaction's rule); one email per new invitation with an address.
    expect(kinds.lastIndexOf('pendingInvitations')).toBeLessThan(kinds.indexOf('putInvitation'));
    expect(kinds.filter((name) => name === 'putInvitation')).toHaveLength(2);
    expect(kinds.filter((name) => name === 'queueMail')).toHaveLength(1);
  });
});

describe('views', () => {
  it('shows a pending invitation past its expiry as expired, dates as ISO strings', () => {
    const pending = invitation();
    expect(invitationView(pending, AT).status).toBe('pending');
    const view = invitationView(pending, pending.expires_at);
    expect(view).toEqual({
      id: 'invitation-0000000000001',
      organization_id: 'acme',
      organization_name: 'Acme',
      email: 'kate@example.com',
      uid: null,
      role: 'member',
      status: 'expired',
      invited_by: 'olive',
      created_at: '2026-12-01T12:00:00.000Z',
      expires_at: '2026-12-08T12:00:00.000Z',
      responded_at: null,
    });
    const answered = invitation({ status: 'declined', responded_at: AT });
    expect(invitationView(answered, new Date(AT.getTime() + 30 * 86_400_000))).toMatchObject({
      status: 'declined',
      responded_at: '2026-12-01T12:00:00.000Z',
    });
  });

  it('shows a member with the Cannlytics team fields, role and joined_at, and no more', () => {
    expect(memberView(memberRecord('acme', profile('mia'), 'member', AT))).toEqual({
      ...profile('mia'),
      role: 'member',
      joined_at: '2026-12-01T12:00:00.000Z',
    });
  });

  it('keeps line breaks out of the mail subject and markup out of its HTML', () => {
    const mail = invitationMail(
      newInvitation(
        { organization_id: 'acme', name: 'Acme\r\nBcc: x <b>' },
        caller(),
        { email: 'k@example.com' },
        'member',
        7,
        AT,
      ),
      'k@example.com',
    );
    expect(mail.to).toBe('k@example.com');
    expect(mail.message.subject).toBe('You are invited to join Acme Bcc: x <b>');
    expect(mail.message.html).toContain('<strong>Acme Bcc: x &lt;b&gt;</strong>');
  });
});

describe('addMembersBody', () => {
  it('tells one member from a bulk list, lower-casing addresses and defaulting the role', () => {
    expect(addMembersBody.parse({ email: 'Kate@Example.com' })).toEqual({
      bulk: false,
      entries: [{ email: 'kate@example.com', role: 'member' }],
    });
    expect(addMembersBody.parse({ members: [{ uid: 'abc', role: 'viewer' }] })).toEqual({
      bulk: true,
      entries: [{ uid: 'abc', role: 'viewer' }],
    });
  });

  it('names the fields of the form the client meant', () => {
    const paths = (body: unknown) =>
      addMembersBody.safeParse(body).error?.issues.map((issue) => issue.path.join('.'));
    expect(paths({ role: 'member' })).toEqual(['uid']);
    expect(paths({ members: [{ uid: 'abc' }, { email: 'nope' }] })).toEqual(['members.1.email']);
    expect(paths({ members: [] })).toEqual(['members']);
  });
});
