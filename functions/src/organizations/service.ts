import { createHash } from 'node:crypto';
import * as logger from 'firebase-functions/logger';
import type { Caller } from '../auth/caller';
import type { ClaimsService } from '../claims/service';
import { decodeCursor, encodeCursor } from '../firestore';
import { ApiError } from '../http/errors';
import type { Reply } from '../http/handler';
import { DAY_MS, iso } from '../time';
import { licenseSecretName, type SecretInput, type SecretService } from '../secrets/service';
import type { Profile, UserStore } from '../users/store';
import { resolveAccess, requireRights, type Access } from './access';
import { logEntry } from './log';
import { changeMembership, memberRecord } from './membership';
import type { CreateInput, LicenseInput, ListQuery, Role, UpdateInput } from './schemas';
import { slugify } from './slug';
import standardDataModels from './standard-data-models.json';
import type { IdempotencyRecord, ListSpec, OrganizationStore, OrgTransaction } from './store';
import type { License, OrganizationRecord } from './types';
import { etag, memberView, viewFor } from './views';

const IDEMPOTENCY_MS = DAY_MS;
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

function rejectArchived(org: OrganizationRecord): void {
  if (org.archived) {
    throw new ApiError(
      'failed-precondition',
      `${org.organization_id} is archived and read-only: restore it first.`,
    );
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The licenses as stored: each `user_api_key` replaced by the name of its secret. */
function storedLicenses(input: LicenseInput[], current: License[]): License[] {
  return input.map(({ user_api_key, ...license }) => ({
    ...license,
    user_api_key_secret: user_api_key
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
    requireRights(resolveAccess(orgId, org, member, caller), 'member', 'edit it');
    return secrets.withStaged(await secrets.stage(orgId, caller, inputs), work, orgId);
  }

  async function profilesOrFail(uids: string[]): Promise<Map<string, Profile>> {
    const profiles = await users.profiles(uids);
    requireProfiles(uids, profiles);
    return profiles;
  }

  /**
   * Applies a partial update inside a transaction: profile fields for members and up, `owner`
   * and `team` for the owner only (403 for anyone else, never a silent drop).
   */
  async function applyUpdate(
    transaction: OrgTransaction,
    caller: Caller,
    access: Access,
    body: UpdateInput,
  ): Promise<Written> {
    const { org } = access;
    requireRights(access, 'member', 'edit it');
    rejectArchived(org);
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

    if (body.licenses) {
      const licenses = storedLicenses(body.licenses, org.licenses);
      const rotated = licenseSecrets(body.licenses).length > 0;
      if (rotated || !sameValue(org.licenses, licenses)) {
        patch.licenses = licenses;
        changed.push('licenses');
      }
    }
    const owner = body.owner ?? org.owner;
    const team = body.team ? [...new Set(body.team)] : org.team;
    const wanted = new Set(team);
    const added = team.filter((uid) => !(uid in org.roles));
    const removed = org.team.filter((uid) => !wanted.has(uid));
    let affected: string[] = [];
    if (added.length || removed.length || owner !== org.owner) {
      requireRights(access, 'owner', 'change its owner or team');
      if (!wanted.has(owner)) {
        throw new ApiError('invalid-argument', 'The team must include the owner.', {
          details: [{ path: 'team', message: `The owner ${owner} is not in the team.` }],
        });
      }
      if (added.length + removed.length > MAX_TEAM_CHANGES) {
        throw new ApiError(
          'invalid-argument',
          `A request adds or removes at most ${MAX_TEAM_CHANGES} members.`,
          { details: [{ path: 'team', message: 'Too many changes at once.' }] },
        );
      }
      const profiles = await profilesOrFail(added);
      const membership = changeMembership(
        transaction,
        org,
        {
          add: added.map((uid) => ({ profile: profiles.get(uid)!, role: 'member' as const })),
          remove: removed,
          owner,
        },
        at,
      );
      Object.assign(patch, membership.patch);
      affected = membership.affected;
      if (owner !== org.owner) changed.push('owner');
      if (added.length || removed.length) changed.push('team');
    }
    if (changed.length === 0) return { org, role: access.role, affected: [] };

    if (patch.name !== undefined) patch.name_lower = patch.name.toLowerCase();
    patch.version = org.version + 1;
    patch.updated_at = at;
    transaction.update(
      org.organization_id,
      patch,
      logEntry(caller, 'organization.updated', changed.sort(), at),
    );
    const updated = { ...org, ...patch };
    return { org: updated, role: updated.roles[caller.uid] ?? null, affected };
  }

  async function update(
    caller: Caller,
    orgId: string,
    body: UpdateInput,
    options: {
      ifMatch?: string;
      conflictIfStranger?: boolean;
      remember?: (response: Reply) => { id: string; record: IdempotencyRecord } | undefined;
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
      const saved = options.remember?.(reply(200, result.org, result.role));
      if (saved) transaction.remember(saved.id, saved.record);
      return result;
    });
    await claims.sync(written.affected);
    return written;
  }

  /** A lifecycle change (archive, restore) by the owner. */
  async function setArchived(caller: Caller, orgId: string, archived: boolean, ifMatch?: string) {
    const written = await store.transact(async (transaction) => {
      const { org, member } = await transaction.read(orgId, caller.uid);
      const access = resolveAccess(orgId, org, member, caller);
      requireRights(access, 'owner', archived ? 'archive it' : 'restore it');
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
      transaction.update(orgId, patch, logEntry(caller, action, ['archived'], at));
      return { ...access.org, ...patch };
    });
    return reply(200, written, written.roles[caller.uid] ?? null);
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

  async function replayOrCheck(caller: Caller, idempotencyId: string, requestHash: string) {
    const saved = await store.readIdempotency(idempotencyId);
    if (!saved || saved.expires_at <= now()) return null;
    if (saved.request_hash !== requestHash || saved.uid !== caller.uid) {
      throw new ApiError(
        'failed-precondition',
        'This Idempotency-Key was already used with a different request.',
      );
    }
    return {
      status: saved.status,
      data: saved.body,
      headers: { ...saved.headers, 'Idempotent-Replayed': 'true' },
    } satisfies Reply;
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
      const sort = query.order_by === 'name' ? 'name_lower' : 'created_at';
      const { items, more } = await store.list({
        scope,
        archived: query.archived ?? false,
        nameEquals: query.name?.toLowerCase(),
        namePrefix: query.q?.toLowerCase(),
        sort,
        direction: query.order,
        limit: query.limit,
        after: query.cursor ? decodeCursor(query.cursor) : undefined,
      });
      const data = items.map((org) => {
        const role = caller ? (org.roles[caller.uid] ?? null) : null;
        return viewFor(org, role, role !== null || caller?.admin === true);
      });
      const last = items.at(-1);
      const nextCursor =
        more && last ? encodeCursor({ value: last[sort], id: last.organization_id }) : null;
      return { data, nextCursor };
    },

    /**
     * `POST /organizations`: creates (201), or — when the id exists and the caller may edit it —
     * updates (200), as Cannlytics does; anyone else gets 409. An `Idempotency-Key` makes a retry
     * within 24 hours return the first response.
     */
    async createOrUpdate(
      caller: Caller,
      body: CreateInput,
      idempotencyKey?: string,
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
      const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
      const idempotencyId = idempotencyKey
        ? createHash('sha256').update(`${caller.uid}\n${idempotencyKey}`).digest('hex')
        : undefined;
      if (idempotencyId) {
        const replay = await replayOrCheck(caller, idempotencyId, requestHash);
        if (replay) return replay;
      }
      const remember = (response: Reply) =>
        idempotencyId === undefined
          ? undefined
          : {
              id: idempotencyId,
              record: {
                uid: caller.uid,
                request_hash: requestHash,
                status: response.status ?? 200,
                body: response.data,
                headers: response.headers ?? {},
                created_at: now(),
                expires_at: new Date(now().getTime() + IDEMPOTENCY_MS),
              },
            };

      const team = [...new Set([caller.uid, ...(fields.team ?? [])])];
      // Whether it exists, and the profiles a creation needs, in parallel.
      const [{ org: existing }, profiles] = await Promise.all([
        store.read(orgId, null),
        users.profiles(team),
      ]);
      if (!existing) {
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
        if (team.length - 1 > MAX_TEAM_CHANGES) {
          throw new ApiError(
            'invalid-argument',
            `A new organization starts with at most ${MAX_TEAM_CHANGES} other members.`,
            {
              details: [{ path: 'team', message: 'Too many members at once.' }],
            },
          );
        }
        requireProfiles(team, profiles);
        const at = now();
        const roles = Object.fromEntries(
          team.map((member) => [member, member === caller.uid ? 'owner' : 'member']),
        ) as Record<string, Role>;
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
          team,
          created_at: at,
          updated_at: at,
          archived: false,
          archived_at: null,
          version: 1,
          name_lower: fields.name.toLowerCase(),
          roles,
        };
        const response = reply(201, org, 'owner');
        let created = false;
        try {
          created = await store.create({
            org,
            members: team.map((member) =>
              memberRecord(orgId, profiles.get(member)!, roles[member], at),
            ),
            dataModels: standardDataModels,
            log: logEntry(caller, 'organization.created', Object.keys(fields).sort(), at),
            secrets: staged?.refs ?? [],
            idempotency: remember(response),
          });
        } finally {
          if (!created) await staged?.rollback();
        }
        if (created) {
          await claims.sync(team);
          return response;
        }
        if (idempotencyId) {
          const replay = await replayOrCheck(caller, idempotencyId, requestHash);
          if (replay) return replay;
        }
      }
      const written = await update(caller, orgId, fields, { conflictIfStranger: true, remember });
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

    /** Deletes an archived organization for good: documents, subcollections, members' claims. */
    async purge(caller: Caller, orgId: string): Promise<void> {
      const access = await read(caller, orgId);
      requireRights(access, 'owner', 'purge it');
      if (!access.org.archived) {
        throw new ApiError('failed-precondition', `Archive ${orgId} before purging it.`);
      }
      await secrets.purge(orgId);
      await store.purge(orgId);
      await claims.sync(access.org.team);
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
      await teamRead(caller, orgId, 'admin', 'read its audit log');
      const { items, more } = await store.logs(
        orgId,
        page.limit,
        page.cursor ? decodeCursor(page.cursor) : undefined,
      );
      const last = items.at(-1);
      return {
        data: items.map(({ at, ...entry }) => ({ ...entry, at: iso(at) })),
        nextCursor: more && last ? encodeCursor({ value: last.at, id: last.id }) : null,
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
