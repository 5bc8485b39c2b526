// The benchmark's data set, written straight to the emulators with firebase-admin in the exact
// document shapes the API writes (functions/src/organizations/service.ts `createOrUpdate`,
// membership.ts `memberRecord`): organizations with their internal `version`, `name_lower`,
// `roles`, `team`, and `organizations/{id}/members/{uid}` documents. Batched writes are much
// faster than 10,000 API calls; the organizations the timed write endpoints touch are made through
// the API itself (see bench.js).
'use strict';

const path = require('node:path');
const { functionsLib } = require('./paths');

// The API's own defaults and member records, so the seeded shapes cannot drift from it.
const { PROFILE_DEFAULTS } = require(path.join(functionsLib, 'organizations', 'schemas.js'));
const { memberRecord } = require(path.join(functionsLib, 'organizations', 'membership.js'));

const BATCH_WRITES = 500;
const CONCURRENT_BATCHES = 4;
const EPOCH = Date.parse('2025-01-01T00:00:00Z');

const pad = (n, width) => String(n).padStart(width, '0');

/** A user's profile as the API copies it into their member documents (users/store.ts). */
function profile(uid, { name, email, signedIn = false }) {
  return {
    uid,
    name,
    email,
    photo_url: '',
    position: '',
    type: '',
    phone_number: '',
    license: '',
    signed_in: signedIn,
  };
}

/** An organization document as `createOrUpdate` writes it, with `members` [{profile, role}]. */
function organizationRecord(id, name, members, at) {
  return {
    ...PROFILE_DEFAULTS,
    type: 'lab',
    name,
    organization_id: id,
    uid: id,
    owner: members.find((member) => member.role === 'owner').profile.uid,
    team: members.map((member) => member.profile.uid),
    created_at: at,
    updated_at: at,
    archived: false,
    archived_at: null,
    version: 1,
    name_lower: name.toLowerCase(),
    roles: Object.fromEntries(members.map((member) => [member.profile.uid, member.role])),
  };
}

/** Writes `[ref, data]` pairs in batches of 500, a few batches at a time. */
async function writeAll(db, writes) {
  const batches = [];
  for (let i = 0; i < writes.length; i += BATCH_WRITES) {
    batches.push(writes.slice(i, i + BATCH_WRITES));
  }
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = db.batch();
      for (const [ref, data] of batches[next++]) batch.set(ref, data);
      await batch.commit();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT_BATCHES }, worker));
}

/** Imports users straight into Auth (up to 1,000 a call; no trigger fires). */
async function importUsers(auth, prefix, count) {
  const uids = Array.from({ length: count }, (_, i) => `${prefix}${pad(i, 4)}`);
  const users = uids.map((uid) => ({
    uid,
    email: `${uid}@example.com`,
    displayName: `Member ${uid}`,
  }));
  for (let i = 0; i < users.length; i += 1000) {
    const result = await auth.importUsers(users.slice(i, i + 1000));
    if (result.failureCount) throw new Error(`import: ${JSON.stringify(result.errors[0])}`);
  }
  return users.map((user) => profile(user.uid, { name: user.displayName, email: user.email }));
}

const orgId = (i) => `bench-org-${pad(i, 5)}`;

/**
 * Writes organizations `from` ≤ i < `to`: the first `ownedByUser` are owned by `user` (org 0 also
 * has the `bigTeam`, org 1 the `smallTeam`); every other one has an owner of its own.
 */
async function seedOrganizations(db, { from, to, user, ownedByUser, bigTeam, smallTeam }) {
  const writes = [];
  for (let i = from; i < to; i += 1) {
    const id = orgId(i);
    const at = new Date(EPOCH + i * 60_000);
    const owner =
      i < ownedByUser
        ? user
        : profile(`seed-owner-${pad(i, 5)}`, {
            name: `Owner ${pad(i, 5)}`,
            email: `owner${i}@example.com`,
          });
    const others = i === 0 ? bigTeam : i === 1 ? smallTeam : [];
    const members = [
      { profile: owner, role: 'owner' },
      ...others.map((member) => ({ profile: member, role: 'member' })),
    ];
    const org = db.collection('organizations').doc(id);
    writes.push([org, organizationRecord(id, `Bench Org ${pad(i, 5)}`, members, at)]);
    for (const member of members) {
      writes.push([
        org.collection('members').doc(member.profile.uid),
        memberRecord(id, member.profile, member.role, at),
      ]);
    }
  }
  await writeAll(db, writes);
  return writes.length;
}

module.exports = {
  profile,
  memberRecord,
  organizationRecord,
  importUsers,
  seedOrganizations,
  orgId,
  pad,
};
