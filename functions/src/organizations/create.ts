import type { Caller } from '../auth/caller';
import { ApiError } from '../errors';
import { quotaCounters } from '../limits/quotas';
import { iso } from '../time';
import { DEFAULT_INVITATION_DAYS, invitationMail, newInvitation } from '../team/invitations';
import type { TombstoneRecord } from '../model/records';
import { logEntry } from './log';
import { memberRecord } from './membership';
import { PROFILE_DEFAULTS, type CreateInput } from './schemas';
import { slugify } from './slug';
import standardDataModels from './standard-data-models.json';
import type { OrganizationRecord } from './types';
import { changesOf, updates } from './update';
import {
  licenseSecrets,
  MAX_TEAM_CHANGES,
  requireProfiles,
  storedLicenses,
  type OrganizationServiceDeps,
  type Standing,
} from './writes';

/** Reads and commits of one creation, when concurrent ones keep changing its quota counters. */
const MAX_CREATE_ATTEMPTS = 10;

function invalid(field: string, message: string, detail: string): ApiError {
  return new ApiError('invalid-argument', message, { details: [{ path: field, message: detail }] });
}

/** What `POST /organizations` did: the organization, and whether it created it. */
export interface Upserted extends Standing {
  created: boolean;
}

/** The create use case: `POST /organizations`, which updates an organization that exists. */
export function creates(deps: OrganizationServiceDeps) {
  const { store, users, claims, secrets, now = () => new Date() } = deps;
  const { update } = updates(deps);
  const counters = quotaCounters(deps.quotas);

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

  /**
   * `POST /organizations`: creates (`created`), or — when the id exists and the caller may edit
   * it — updates, as Cannlytics does; anyone else gets 409. Other uids in a new organization's
   * `team` are invited. The id is the body's `organization_id` (or `uid`), else `queryId`, else
   * the name's slug.
   */
  async function createOrUpdate(
    caller: Caller,
    body: CreateInput,
    { queryId, ifMatch }: { queryId?: string; ifMatch: string[] | undefined },
  ): Promise<Upserted> {
    const posted = body.organization_id ?? body.uid;
    if (posted && queryId && posted !== queryId) {
      throw invalid(
        'organization_id',
        `The body names ${posted} and the query ${queryId}: name one organization.`,
        'Must be the same as the query parameter.',
      );
    }
    const named = posted ?? queryId;
    const orgId = named ?? slugify(body.name ?? '');
    if (!named && orgId.length < 3) {
      throw invalid(
        'organization_id',
        `The name gives the id "${orgId}", which is too short: post an organization_id of 3 to 64 characters.`,
        'Required for this name.',
      );
    }
    const fields = changesOf(orgId, body);
    const team = [...new Set([caller.uid, ...(fields.team ?? [])])];
    // A new organization starts with at most MAX_TEAM_CHANGES invitations: a longer `team`
    // can only be an update, whose profile reads wait until the organization is found.
    const small = team.length - 1 <= MAX_TEAM_CHANGES;
    const invitees = team.filter((member) => member !== caller.uid);
    // The quotas a creation uses, read with the organization: one round trip, as without them.
    const quotaAt = now();
    const quotas = [
      counters.organizations(caller.uid, quotaAt),
      ...(small && invitees.length
        ? [
            counters.invitations(orgId, quotaAt),
            ...invitees.map((uid) => counters.invitee({ uid }, quotaAt)),
          ]
        : []),
    ];
    const early = small ? users.profiles(team) : undefined;
    // Awaited only for a creation; an update reads profiles itself.
    early?.catch(() => undefined);
    // A concurrent creation by the same user (or with the same invitees) changes a counter between
    // the read and the commit: the commit then fails as a whole, and this reads again.
    for (let attempt = 1; ; attempt += 1) {
      const found = await store.readForCreate(orgId, quotas);
      if (found.org) break;
      if (ifMatch !== undefined) {
        throw new ApiError('failed-precondition', `No organization ${orgId} to match If-Match.`, {
          status: 412,
        });
      }
      if (!fields.name) {
        throw invalid(
          'name',
          `No organization ${orgId} yet: give it a name to create it.`,
          'Required to create an organization.',
        );
      }
      if (fields.owner && fields.owner !== caller.uid) {
        throw invalid(
          'owner',
          'You are the owner of an organization you create.',
          'Must be your own uid, or left out.',
        );
      }
      if (body.archived) {
        throw invalid(
          'archived',
          'A new organization is not archived.',
          'Must be false or left out.',
        );
      }
      if (!small) {
        throw invalid(
          'team',
          `A new organization starts with at most ${MAX_TEAM_CHANGES} other members.`,
          'Too many members at once.',
        );
      }
      refuseTaken(orgId, found.tombstone);
      const profiles = (await early)!;
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
      let created = false;
      try {
        created = await store.create(
          {
            org,
            members: [memberRecord(orgId, profiles.get(caller.uid)!, 'owner', at)],
            dataModels: standardDataModels,
            log: logEntry(caller, 'organization.created', Object.keys(fields).sort(), at),
            secrets: staged?.refs ?? [],
            invitations,
          },
          found.counters.map((read) => ({
            read,
            // One organization, its invitations, one invitation to each invitee.
            amount: read.counter.name === 'invitations' ? invitations.length : 1,
          })),
        );
      } finally {
        if (!created) await staged?.rollback();
      }
      if (created) {
        await claims.sync([caller.uid]);
        return { org, role: 'owner', created: true };
      }
      if (attempt >= MAX_CREATE_ATTEMPTS) {
        throw new ApiError(
          'unavailable',
          'Too many concurrent creations by this user: try again shortly.',
          { headers: { 'Retry-After': '1' } },
        );
      }
    }
    const written = await update(caller, orgId, body, { ifMatch, conflictIfStranger: true });
    return { org: written.org, role: written.role, created: false };
  }

  return { createOrUpdate };
}
