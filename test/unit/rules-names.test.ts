// Pure rules without the emulator: the organization id a name gives, and the custom claims a
// user's memberships give, cut to Firebase's 1,000 bytes.
import { MAX_CLAIMS_BYTES, OVERFLOW_CLAIM, claimsFor } from '../../functions/src/claims/service';
import type { Membership } from '../../functions/src/claims/store';
import { slugify } from '../../functions/src/organizations/slug';

describe('slugify', () => {
  it.each([
    ['Test Company', 'test-company'],
    ['  Acme, Inc.  ', 'acme-inc'],
    ['Crème Brûlée Labs', 'creme-brulee-labs'],
    ['ＡＢＣ Labs', 'abc-labs'],
    ['a--b__c', 'a-b-c'],
    ['***', ''],
  ])('%s → %s', (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it('keeps at most 64 characters, never ending in a dash', () => {
    expect(slugify('x'.repeat(100))).toBe('x'.repeat(64));
    expect(slugify(`${'x'.repeat(63)} y`)).toBe('x'.repeat(63));
  });
});

describe('claimsFor', () => {
  const membership = (organization_id: string, role: Membership['role']) => ({
    organization_id,
    role,
  });
  const size = (claims: object) => Buffer.byteLength(JSON.stringify(claims));

  it('lists owned organizations in owner and every one in team, sorted, keeping other claims', () => {
    const claims = claimsFor({ admin: true, owner: ['stale'], [OVERFLOW_CLAIM]: true }, [
      membership('zeta', 'member'),
      membership('beta', 'owner'),
      membership('alpha', 'viewer'),
    ]);
    expect(claims).toEqual({ admin: true, owner: ['beta'], team: ['alpha', 'beta', 'zeta'] });
  });

  it('cuts the lists to 1,000 bytes, owned organizations first, and flags the cut', () => {
    const many = Array.from({ length: 80 }, (_, i) =>
      membership(`organization-${String(i).padStart(2, '0')}`, i % 10 === 9 ? 'owner' : 'member'),
    );
    const claims = claimsFor({ admin: true }, many) as { owner: string[]; team: string[] };
    expect(size(claims)).toBeLessThanOrEqual(MAX_CLAIMS_BYTES);
    expect(claims).toMatchObject({ admin: true, [OVERFLOW_CLAIM]: true });
    const owned = many.filter((m) => m.role === 'owner').map((m) => m.organization_id);
    expect(claims.owner).toEqual(owned);
    expect(claims.team).toEqual(expect.arrayContaining(owned));
    expect(claims.team.length).toBeLessThan(many.length);
    expect(claims.team).toEqual([...claims.team].sort());
    // One more organization would not have fitted.
    const next = many.find((m) => !claims.team.includes(m.organization_id))!;
    const bigger = { ...claims, team: [...claims.team, next.organization_id] };
    expect(size(bigger)).toBeGreaterThan(MAX_CLAIMS_BYTES);
  });

  it('has no flag when everything fits', () => {
    expect(claimsFor({}, [membership('acme', 'owner')])).toEqual({
      owner: ['acme'],
      team: ['acme'],
    });
  });
});
