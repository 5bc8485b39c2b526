// Pure rules of access and conditional writes, without the emulator: roles and rights, the one
// If-Match check, and If-Match parsing.
import type { Caller } from '../../functions/src/auth/caller';
import { ApiError } from '../../functions/src/errors';
import { parseIfMatch } from '../../functions/src/http/conditional';
import {
  atLeast,
  requireRights,
  requireVersion,
  requireWritable,
  resolveAccess,
  roleOf,
} from '../../functions/src/organizations/access';
import type { Role } from '../../functions/src/organizations/schemas';

/** What a call throws, as the error middleware would see it. */
function thrown(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('nothing thrown');
}

const ROLES: Role[] = ['viewer', 'member', 'admin', 'owner'];

describe('parseIfMatch', () => {
  it('is undefined without the header', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
  });

  it('splits a list, trims it and drops weak prefixes', () => {
    expect(parseIfMatch('"7"')).toEqual(['"7"']);
    expect(parseIfMatch(' "7" , W/"8",,"9"')).toEqual(['"7"', '"8"', '"9"']);
    expect(parseIfMatch('*')).toEqual(['*']);
  });

  it('keeps a malformed tag as it is, so that it matches no version', () => {
    expect(parseIfMatch('7')).toEqual(['7']);
    expect(parseIfMatch('')).toEqual([]);
  });
});

describe('requireVersion', () => {
  const org = { version: 7 };

  it('admits a write without If-Match, with the current version, or with *', () => {
    expect(() => requireVersion(org, undefined)).not.toThrow();
    expect(() => requireVersion(org, ['"7"'])).not.toThrow();
    expect(() => requireVersion(org, ['"6"', '"7"'])).not.toThrow();
    expect(() => requireVersion(org, ['*'])).not.toThrow();
    expect(() => requireVersion(org, parseIfMatch('W/"7"'))).not.toThrow();
  });

  it('refuses another version with 412 failed-precondition and the current ETag', () => {
    for (const tags of [['"6"'], ['7'], [], ['"07"']]) {
      const error = thrown(() => requireVersion(org, tags));
      expect(error).toMatchObject({
        code: 'failed-precondition',
        status: 412,
        message: 'The organization has changed since you read it: its ETag is now "7".',
        headers: { ETag: '"7"' },
      });
    }
  });
});

describe('roles and rights', () => {
  it('ranks viewer < member < admin < owner', () => {
    for (const [i, rights] of ROLES.entries()) {
      for (const [j, minimum] of ROLES.entries()) {
        expect(atLeast(rights, minimum)).toBe(i >= j);
      }
      expect(atLeast(null, rights)).toBe(false);
    }
  });

  it('reads only the role map’s own keys', () => {
    const org = { roles: { alice: 'admin' } as Record<string, Role> };
    expect(roleOf(org, 'alice')).toBe('admin');
    expect(roleOf(org, 'bob')).toBeUndefined();
    for (const uid of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(roleOf(org, uid)).toBeUndefined();
    }
  });

  const org = {
    organization_id: 'acme',
    public: false,
    archived: false,
    purging: false,
    created_at: new Date(0),
    updated_at: new Date(0),
    archived_at: null,
  };
  const caller = (uid: string, admin = false) => ({ uid, admin }) as unknown as Caller;

  it('resolves a member’s role, a platform admin’s owner rights, and hides from strangers', () => {
    expect(resolveAccess('acme', org, { role: 'member' }, caller('mia'))).toMatchObject({
      role: 'member',
      rights: 'member',
    });
    expect(resolveAccess('acme', org, null, caller('pat', true))).toMatchObject({
      role: null,
      rights: 'owner',
    });
    expect(thrown(() => resolveAccess('acme', org, null, caller('stan')))).toMatchObject({
      code: 'not-found',
      message: 'No organization acme.',
    });
    expect(thrown(() => resolveAccess('acme', null, null, caller('pat', true)))).toMatchObject({
      code: 'not-found',
    });
    const open = { ...org, public: true };
    expect(resolveAccess('acme', open, null, null)).toMatchObject({ role: null, rights: null });
    expect(
      thrown(() => resolveAccess('acme', { ...open, archived: true }, null, null)),
    ).toMatchObject({ code: 'not-found' });
  });

  it('refuses too few rights with 403 naming who can and the caller’s standing', () => {
    const access = { org, role: 'member' as Role, rights: 'member' as Role };
    expect(() => requireRights(access, 'member', 'edit it')).not.toThrow();
    expect(thrown(() => requireRights(access, 'admin', 'invite', 'email'))).toMatchObject({
      code: 'permission-denied',
      message: 'Only the owner or an admin of acme can invite; you are a member.',
      details: [{ path: 'email', message: 'Needs the owner or an admin.' }],
    });
    const admin = { org, role: 'admin' as Role, rights: 'admin' as Role };
    expect(thrown(() => requireRights(admin, 'owner', 'purge it')).message).toBe(
      'Only the owner of acme can purge it; you are an admin.',
    );
    const stranger = { org, role: null, rights: null };
    expect(thrown(() => requireRights(stranger, 'viewer', 'read it')).message).toBe(
      'Only the team of acme can read it; you are not on its team.',
    );
  });

  it('refuses writes while purging, and while archived unless allowed', () => {
    expect(() => requireWritable(org)).not.toThrow();
    const archived = { ...org, archived: true };
    expect(thrown(() => requireWritable(archived))).toMatchObject({
      code: 'failed-precondition',
      status: 409,
      message: 'acme is archived and read-only: restore it first.',
    });
    expect(() => requireWritable(archived, { archived: 'allowed' })).not.toThrow();
    expect(
      thrown(() => requireWritable({ ...archived, purging: true }, { archived: 'allowed' })),
    ).toMatchObject({ message: 'acme is being deleted for good: it takes no more changes.' });
  });
});
