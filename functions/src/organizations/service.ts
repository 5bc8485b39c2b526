import * as logger from 'firebase-functions/logger';
import type { Caller } from '../auth/caller';
import type { ClaimsService } from '../claims/service';
import { decodeCursor, documentIdSchema, nextCursor, type CursorSpec } from '../firestore';
import { ApiError } from '../errors';
import type { Reply } from '../http/handler';
import { DAY_MS, iso } from '../time';
import { licenseSecretName, type SecretInput, type SecretService } from '../secrets/service';
import {
  DEFAULT_INVITATION_DAYS,
  invitationMail,
  inviteAll,
  newInvitation,
} from '../team/invitations';
import type { Profile, UserStore } from '../users/store';
import { requireRights, requireWritable, resolveAccess, roleOf, type Access } from './access';
import { logEntry } from './log';
import { changeMembership, memberRecord } from './membership';
import {
  orgIdSchema,
  type CreateInput,
  type LicenseInput,
  type ListQuery,
  type Role,
  type UpdateInput,
} from './schemas';
import { slugify } from './slug';
import standardDataModels from './standard-data-models.json';
import type { ListSpec, OrganizationStore, OrgTransaction } from './store';
import type { TombstoneRecord } from '../model/records';
import type { License, OrganizationRecord } from './types';
import { etag, memberView, viewFor } from './views';

/** How long a purged organization's id stays taken (its tombstone's TTL). */
export const TOMBSTONE_MS = 30 * DAY_MS;
/** Members added or removed by one request: a transaction stays well inside Firestore's limits. */
export const MAX_TEAM_CHANGES = 100;

/** The profile fields of a new organization that the creator did not post. */
export const PROFILE_DEFAULTS = {
  trade_name: '',
  type: 'other',
  public: false,
  email: '',
  phone: '',
  website: '',
  linkedin: '',
  address: '',
  city: '',
  state: '',
  zip_code: '',
  country: '',
  external_id: '',
  photo_url: '',
  photo_ref: '',
  photo_size: null,
  photo_type: '',
  photo_modified_at: null,
  photo_uploaded_at: null,
  licenses: [],
} satisfies Partial<OrganizationRecord>;

type ProfileField = Exclude<keyof UpdateInput, 'owner' | 'team'>;

export interface OrganizationServiceDeps {
  store: OrganizationStore;
  users: UserStore;
  claims: ClaimsService;
  secrets: SecretService;
  now?: () => Date;
}

/** A write's outcome: the organization after it, and whose claims it changed. */
interface Written {
  org: OrganizationRecord;
  role: Role | null;
  affected: string[];
  /** Secrets whose license (or key) the write removed: destroyed once it committed. */
  dropped: string[];
}

function checkIfMatch(org: OrganizationRecord, ifMatch: string | undefined): void {
  if (ifMatch === undefined) return;
  const tags = ifMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (tags.includes('*') || tags.includes(etag(org))) return;
  throw new ApiError(
    'failed-precondition',
    `The organization has changed since you read it: its ETag is now ${etag(org)}.`,
    { status: 412, headers: { ETag: etag(org) } },
  );
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The licenses as stored: each `user_api_key` replaced by the name of its secret. A license posted
 * without the field keeps its key (reads never show it); `user_api_key: null` removes it.
 */
function storedLicenses(input: LicenseInput[], current: License[]): License[] {
  return input.map(({ user_api_key, ...license }) => ({
    ...license,
    user_api_key_secret:
      user_api_key === null
        ? null
        : user_api_key
          ? licenseSecretName(license.license_number)
          : (current.find((old) => old.license_number === license.license_number)
              ?.user_api_key_secret ?? null),
  }));
}

function licenseSecrets(input: LicenseInput[] | undefined): SecretInput[] {
  return (input ?? []).flatMap(({ license_number, user_api_key }) =>
    user_api_key ? [{ name: licenseSecretName(license_number), value: user_api_key }] : [],
  );
}

/** The secrets that licenses keep (by name). */
const keptSecrets = (licenses: License[]) =>
  new Set(licenses.flatMap((license) => license.user_api_key_secret ?? []));

/**
 * Secrets are for the owner and admins however they arrive: posting a `user_api_key`, like
 * `PUT .../secrets`, needs admin rights (a 403 naming the field), and so does dropping a license
 * that holds one, which destroys it.
 */
function requireSecretRights(access: Access, input: LicenseInput[], dropped: string[]) {
  const keyed = input.findIndex((license) => license.user_api_key);
  if (keyed >= 0) {
    requireRights(access, 'admin', 'store license API keys', `licenses.${keyed}.user_api_key`);
  }
  if (dropped.length) requireRights(access, 'admin', 'remove license API keys', 'licenses');
}

/** The list of organizations a query pages through, for its cursors. */
function listCursor(spec: Omit<ListSpec, 'limit' | 'after'>): CursorSpec {
  return {
    list: [
      'organizations',
      spec.scope.field,
      spec.archived,
      spec.nameEquals ?? '',
      spec.namePrefix ?? '',
      spec.sort,
      spec.direction,
    ].join(':'),
    id: orgIdSchema,
    value: spec.sort === 'created_at' ? 'date' : 'string',
  };
}

/** A 400 naming every uid with no account. */
function requireProfiles(uids: string[], profiles: Map<string, Profile>): void {
  const unknown = uids.filter((uid) => !profiles.has(uid));
  if (unknown.length > 0) {
    throw new ApiError('invalid-argument', `No user with the uid ${unknown.join(', ')}.`, {
      details: unknown.map((uid) => ({ path: 'team', message: `No user ${uid}.` })),
    });
  }
}

function reply(status: number, org: OrganizationRecord, role: Role | null): Reply {
  const headers: Record<string, string> = { ETag: etag(org) };
  if (status === 201) headers.Location = `/api/organizations/${org.organization_id}`;
  return { status, data: memberView(org, role), headers };
}

/** The organizations resource: rights from Firestore membership, every change logged with it. */
export function createOrganizationService({
  store,
  users,
  claims,
  secrets,
  now = () => new Date(),
}: OrganizationServiceDeps) {
  /**
   * A transaction whose change may carry license keys: the keys go to Secret Manager first, their
   * references are written in the same commit, and a failed commit destroys them again.
   */
  async function transactWithSecrets<T>(
    caller: Caller,
    orgId: string,
    licenses: LicenseInput[] | undefined,
    work: (transaction: OrgTransaction) => Promise<T>,
  ): Promise<T> {
    const inputs = licenseSecrets(licenses);
    if (inputs.length === 0) return store.transact(work);
    const { org, member } = await store.read(orgId, caller.uid);
    const access = resolveAccess(orgId, org, member, caller);
    requireSecretRights(access, licenses ?? [], []);
    requireWritable(access.org);
    return secrets.withStaged(await secrets.stage(orgId, caller, inputs), work, orgId);
  }

  async function profilesOrFail(uids: string[]): Promise<Map<string, Profile>> {
    const profiles = await users.profiles(uids);
    requireProfiles(uids, profiles);
    return profiles;
  }

  /**
   * Applies a partial update inside a transaction: profile fields for members and up, license
   * keys for admins, `owner` and `team` for the owner only (403 for anyone else, never a silent
   * drop). Uids new to `team` are invited (they join by accepting); platform admins add them.
   */
  async function applyUpdate(
    transaction: OrgTransaction,
    caller: Caller,
    access: Access,
    body: UpdateInput,
  ): Promise<Written> {
    const { org } = access;
    requireRights(access, 'member', 'edit it');
    requireWritable(org);
    const at = now();
    const patch: Partial<OrganizationRecord> = {};
    const changed: string[] = [];
    for (const [field, value] of Object.entries(body) as [ProfileField, unknown][]) {
      if (['owner', 'team', 'licenses'].includes(field)) continue;
      if (!sameValue(org[field], value)) {
        (patch as Record<string, unknown>)[field] = value;
        changed.push(field);
      }
    }

    let dropped: string[] = [];
    if (body.licenses) {
      const licenses = storedLicenses(body.licenses, org.licenses);
      const kept = keptSecrets(licenses);
      dropped = [...keptSecrets(org.licenses)].filter((name) => !kept.has(name));
      requireSecretRights(access, body.licenses, dropped);
      for (const name of dropped) transaction.deleteSecretRef(org.organization_id, name);
      const rotated = licenseSecrets(body.licenses).length > 0;
      if (rotated || !sameValue(org.licenses, licenses)) {
        patch.licenses = licenses;
        changed.push('licenses');
      }
    }
    const owner = body.owner ?? org.owner;
    const team = body.team ? [...new Set(body.team)] : org.team;
    const wanted = new Set(team);
    const added = team.filter((uid) => !roleOf(org, uid));
    const removed = org.team.filter((uid) => !wanted.has(uid));
    let affected: string[] = [];
    let invited = false;
    if (added.length || removed.length || owner !== org.owner) {
      requireRights(access, 'owner', 'change its owner or team');
      if (!wanted.has(owner)) {
        throw new ApiError('invalid-argument', 'The team must include the owner.', {
          details: [{ path: 'team', message: `The owner ${owner} is not in the team.` }],
        });
      }
      if (owner !== org.owner && !roleOf(org, owner)) {
        throw new ApiError(
          'invalid-argument',
          `${owner} is not on the team yet: invite them first.`,
          {
            details: [{ path: 'owner', message: 'Must be a member.' }],
          },
        );
      }
      if (added.length + removed.length > MAX_TEAM_CHANGES) {
        throw new ApiError(
          'invalid-argument',
          `A request adds or removes at most ${MAX_TEAM_CHANGES} members.`,
          { details: [{ path: 'team', message: 'Too many changes at once.' }] },
        );
      }
      const profiles = await profilesOrFail(added);
      const direct = caller.admin ? added : [];
      if (!caller.admin && added.length) {
        const results = await inviteAll(
          transaction,
          org,
          caller,
          added.map((uid) => ({
            invitee: { uid },
            role: 'member' as const,
            mailTo: profiles.get(uid)!.email || null,
          })),
          DEFAULT_INVITATION_DAYS,
          at,
        );
        invited = results.some((result) => result.created);
      }
      if (direct.length || removed.length || owner !== org.owner) {
        const membership = changeMembership(
          transaction,
          org,
          {
            add: direct.map((uid) => ({ profile: profiles.get(uid)!, role: 'member' as const })),
            remove: removed,
            owner,
          },
          at,
        );
        Object.assign(patch, membership.patch);
        affected = membership.affected;
        if (owner !== org.owner) changed.push('owner');
        if (direct.length || removed.length) changed.push('team');
      }
    }
    if (invited) {
      transaction.log(org.organization_id, logEntry(caller, 'member.invited', ['invitations'], at));
    }
    if (changed.length === 0) return { org, role: access.role, affected: [], dropped };

    if (patch.name !== undefined) patch.name_lower = patch.name.toLowerCase();
    patch.version = org.version + 1;
    patch.updated_at = at;
    const updated = { ...org, ...patch };
    transaction.update(
      org.organization_id,
      patch,
      logEntry(caller, 'organization.updated', changed.sort(), at),
      updated,
    );
    return { org: updated, role: roleOf(updated, caller.uid) ?? null, affected, dropped };
  }

  async function update(
    caller: Caller,
    orgId: string,
    body: UpdateInput,
    options: {
      ifMatch?: string;
      conflictIfStranger?: boolean;
    } = {},
  ): Promise<Written> {
    const written = await transactWithSecrets(caller, orgId, body.licenses, async (transaction) => {
      const { org, member } = await transaction.read(orgId, caller.uid);
      if (org && options.conflictIfStranger && !member && !caller.admin) {
        throw new ApiError(
          'already-exists',
          `An organization with the id ${orgId} already exists.`,
        );
      }
      const access = resolveAccess(orgId, org, member, caller);
      checkIfMatch(access.org, options.ifMatch);
      const result = await applyUpdate(transaction, caller, access, body);
      return result;
    });
    await Promise.all([claims.sync(written.affected), secrets.destroy(orgId, written.dropped)]);
    return written;
  }

  /** A lifecycle change (archive, restore) by the owner. */
  async function setArchived(caller: Caller, orgId: string, archived: boolean, ifMatch?: string) {
    const written = await store.transact(async (transaction) => {
      const { org, member } = await transaction.read(orgId, caller.uid);
      const access = resolveAccess(orgId, org, member, caller);
      requireRights(access, 'owner', archived ? 'archive it' : 'restore it');
      requireWritable(access.org, { archived: 'allowed' });
      checkIfMatch(access.org, ifMatch);
      if (access.org.archived === archived) {
        throw new ApiError(
          'failed-precondition',
          `${orgId} is ${archived ? 'already archived' : 'not archived'}.`,
        );
      }
      const at = now();
      const patch = {
        archived,
        archived_at: archived ? at : null,
        updated_at: at,
        version: access.org.version + 1,
      };
      const action = archived ? 'organization.archived' : 'organization.restored';
      const updated = { ...access.org, ...patch };
      transaction.update(orgId, patch, logEntry(caller, action, ['archived'], at), updated);
      return updated;
    });
    return reply(200, written, roleOf(written, caller.uid) ?? null);
  }

  async function read(caller: Caller | null, orgId: string): Promise<Access> {
    const { org, member } = await store.read(orgId, caller?.uid ?? null);
    return resolveAccess(orgId, org, member, caller);
  }

  /** Access for a route that shows nothing of the organization document itself. */
  async function teamRead(caller: Caller, orgId: string, minimum: Role, action: string) {
    const { org, member } = await store.readAccess(orgId, caller.uid);
    const access = resolveAccess(orgId, org, member, caller);
    requireRights(access, minimum, action);
    return access;
  }

  /**
   * Why an id cannot be taken now, if it cannot: its purge has not finished (something may still
   * be stored under it: the tombstone has no expiry until everything is deleted), or it finished
   * less than 30 days ago.
   */
  function refuseTaken(orgId: string, tombstone: TombstoneRecord | null) {
    if (!tombstone) return;
    if (tombstone.expires_at === null) {
      throw new ApiError(
        'failed-precondition',
        `${orgId} is still being deleted: try again later.`,
        { headers: { 'Retry-After': '60' } },
      );
    }
    if (tombstone.expires_at > now()) {
      throw new ApiError(
        'already-exists',
        `${orgId} was deleted on ${iso(tombstone.purged_at)}; the id can be taken again after ${iso(tombstone.expires_at)}.`,
      );
    }
  }

  return {
    async get(caller: Caller | null, orgId: string): Promise<Reply> {
      const access = await read(caller, orgId);
      return {
        data: viewFor(access.org, access.role, access.rights !== null),
        headers: { ETag: etag(access.org) },
      };
    },

    async list(caller: Caller | null, query: ListQuery): Promise<Reply> {
      let scope: ListSpec['scope'];
      if (query.archived) {
        if (!caller)
          throw new ApiError('unauthenticated', 'Sign in to list your archived organizations.');
        scope = { field: 'owner', uid: caller.uid };
      } else if (!caller || query.public) {
        scope = { field: 'public' };
      } else {
        scope = { field: 'team', uid: caller.uid };
      }
      const spec = {
        scope,
        archived: query.archived ?? false,
        nameEquals: query.name?.toLowerCase(),
        namePrefix: query.q?.toLowerCase(),
        sort: query.order_by === 'name' ? ('name_lower' as const) : ('created_at' as const),
        direction: query.order,
      };
      const cursor = listCursor(spec);
      const { items, end } = await store.list({
        ...spec,
        limit: query.limit,
        after: query.cursor ? decodeCursor(query.cursor, cursor) : undefined,
      });
      const data = items.map((org) => {
        const role = caller ? (roleOf(org, caller.uid) ?? null) : null;
        return viewFor(org, role, role !== null || caller?.admin === true);
      });
      return {
        data,
        nextCursor: nextCursor(end, cursor.list),
      };
    },

    /**
     * `POST /organizations`: creates (201), or — when the id exists and the caller may edit it —
     * updates (200), as Cannlytics does; anyone else gets 409. Other uids in a new
     * organization's `team` are invited. An `Idempotency-Key` makes a retry within 24 hours
     * return the first response.
     */
    async createOrUpdate(
      caller: Caller,
      body: CreateInput,
    ): Promise<Reply> {
      const { organization_id, uid, ...fields } = body;
      const orgId = organization_id ?? uid ?? slugify(body.name ?? '');
      if (!organization_id && !uid && orgId.length < 3) {
        throw new ApiError(
          'invalid-argument',
          `The name gives the id "${orgId}", which is too short: post an organization_id of 3 to 64 characters.`,
          { details: [{ path: 'organization_id', message: 'Required for this name.' }] },
        );
      }
      const team = [...new Set([caller.uid, ...(fields.team ?? [])])];
      // A new organization starts with at most MAX_TEAM_CHANGES invitations: a longer `team`
      // can only be an update, whose profile reads wait until the organization is found.
      const small = team.length - 1 <= MAX_TEAM_CHANGES;
      const [found, early] = await Promise.all([
        store.readForCreate(orgId),
        small ? users.profiles(team) : undefined,
      ]);
      if (!found.org) {
        if (!fields.name) {
          throw new ApiError(
            'invalid-argument',
            `No organization ${orgId} yet: give it a name to create it.`,
            {
              details: [{ path: 'name', message: 'Required to create an organization.' }],
            },
          );
        }
        if (fields.owner && fields.owner !== caller.uid) {
          throw new ApiError(
            'invalid-argument',
            'You are the owner of an organization you create.',
            {
              details: [{ path: 'owner', message: 'Must be your own uid, or left out.' }],
            },
          );
        }
        if (!small) {
          throw new ApiError(
            'invalid-argument',
            `A new organization starts with at most ${MAX_TEAM_CHANGES} other members.`,
            {
              details: [{ path: 'team', message: 'Too many members at once.' }],
            },
          );
        }
        refuseTaken(orgId, found.tombstone);
        const profiles = early!;
        requireProfiles(team, profiles);
        const at = now();
        const inputs = licenseSecrets(fields.licenses);
        const staged = inputs.length ? await secrets.stage(orgId, caller, inputs) : undefined;
        const org: OrganizationRecord = {
          ...PROFILE_DEFAULTS,
          ...fields,
          name: fields.name,
          licenses: storedLicenses(fields.licenses ?? [], []),
          organization_id: orgId,
          uid: orgId,
          owner: caller.uid,
          team: [caller.uid],
          created_at: at,
          updated_at: at,
          archived: false,
          archived_at: null,
          purging: false,
          version: 1,
          name_lower: fields.name.toLowerCase(),
          roles: { [caller.uid]: 'owner' },
        };
        const invitations = team
          .filter((member) => member !== caller.uid)
          .map((member) => {
            const invitation = newInvitation(
              org,
              caller,
              { uid: member },
              'member',
              DEFAULT_INVITATION_DAYS,
              at,
            );
            const to = profiles.get(member)!.email;
            return { invitation, mail: to ? invitationMail(invitation, to) : null };
          });
        const response = reply(201, org, 'owner');
        let created = false;
        try {
          created = await store.create({
            org,
            members: [memberRecord(orgId, profiles.get(caller.uid)!, 'owner', at)],
            dataModels: standardDataModels,
            log: logEntry(caller, 'organization.created', Object.keys(fields).sort(), at),
            secrets: staged?.refs ?? [],
            invitations,
          });
        } finally {
          if (!created) await staged?.rollback();
        }
        if (created) {
          await claims.sync([caller.uid]);
          return response;
        }
      }
      const written = await update(caller, orgId, fields, { conflictIfStranger: true });
      return reply(200, written.org, written.role);
    },

    async update(
      caller: Caller,
      orgId: string,
      body: UpdateInput,
      ifMatch?: string,
    ): Promise<Reply> {
      const written = await update(caller, orgId, body, { ifMatch });
      return reply(200, written.org, written.role);
    },

    archive: (caller: Caller, orgId: string, ifMatch?: string) =>
      setArchived(caller, orgId, true, ifMatch),
    restore: (caller: Caller, orgId: string) => setArchived(caller, orgId, false),

    /**
     * Deletes an archived organization for good: documents, subcollections, secrets, members'
     * claims. First, in one transaction, the organization is marked `purging` (every write path
     * refuses it from then on) and its id gets a tombstone without an expiry; only then is
     * everything deleted, and the tombstone given its expiry last: a purge that stopped half-way
     * keeps the id taken until it is sent again and finishes.
     */
    async purge(caller: Caller, orgId: string): Promise<void> {
      const org = await store.transact(async (transaction) => {
        const { org, member } = await transaction.read(orgId, caller.uid);
        const access = resolveAccess(orgId, org, member, caller);
        requireRights(access, 'owner', 'purge it');
        if (!access.org.archived) {
          throw new ApiError('failed-precondition', `Archive ${orgId} before purging it.`);
        }
        if (access.org.purging) return access.org;
        const at = now();
        transaction.markPurging(
          access.org,
          logEntry(caller, 'organization.purged', ['purging'], at),
          {
            organization_id: orgId,
            purged_at: at,
            purged_by: caller.uid,
            expires_at: null,
          },
        );
        return access.org;
      });
      await secrets.purge(orgId);
      await store.purge(orgId, new Date(now().getTime() + TOMBSTONE_MS));
      await claims.sync(org.team);
      logger.info('Organization purged', { organization_id: orgId, actor_uid: caller.uid });
    },

    async dataModels(caller: Caller, orgId: string): Promise<Reply> {
      await teamRead(caller, orgId, 'viewer', 'read its data models');
      return { data: await store.dataModels(orgId) };
    },

    async logs(
      caller: Caller,
      orgId: string,
      page: { limit: number; cursor?: string },
    ): Promise<Reply> {
      const cursor: CursorSpec = { list: `logs:${orgId}`, id: documentIdSchema, value: 'date' };
      const after = page.cursor ? decodeCursor(page.cursor, cursor) : undefined;
      await teamRead(caller, orgId, 'admin', 'read its audit log');
      const { items, end } = await store.logs(orgId, page.limit, after);
      return {
        data: items.map(({ at, ...entry }) => ({ ...entry, at: iso(at) })),
        nextCursor: nextCursor(end, cursor.list),
      };
    },

    async role(caller: Caller, orgId: string): Promise<Reply> {
      const access = await teamRead(caller, orgId, 'viewer', 'see roles');
      return {
        data: {
          organization_id: orgId,
          role: access.role ?? access.rights,
          platform_admin: caller.admin,
        },
      };
    },

    async summary(caller: Caller, orgId: string): Promise<Reply> {
      const { org } = await teamRead(caller, orgId, 'viewer', 'read its summary');
      const counts = await store.counts(orgId, now());
      const total = Object.values(counts.members).reduce((sum, count) => sum + count, 0);
      return {
        data: {
          organization_id: orgId,
          members: { ...counts.members, total },
          pending_invitations: counts.invitations,
          data_models: counts.dataModels,
          secrets: counts.secrets,
          created_at: iso(org.created_at),
          updated_at: iso(org.updated_at),
          archived: org.archived,
          archived_at: iso(org.archived_at),
        },
      };
    },
  };
}

export type OrganizationService = ReturnType<typeof createOrganizationService>;
