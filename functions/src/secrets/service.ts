import { createHash } from 'node:crypto';
import * as logger from 'firebase-functions/logger';
import type { Caller } from '../auth/caller';
import { ApiError } from '../errors';
import {
  readRights,
  requireRights,
  requireVersion,
  requireWritable,
  resolveAccess,
} from '../organizations/access';
import { logEntry } from '../organizations/log';
import type { OrganizationStore, OrgSnapshot, OrgTransaction } from '../organizations/store';
import type { SecretRef } from '../organizations/types';
import { iso } from '../time';
import { secretIdFor, type SecretStore, type StoredVersion } from './client';
import { MAX_SECRETS } from './schemas';

/** Shorter values show no last characters: four of them would give away too much of it. */
export const LAST4_MIN_LENGTH = 16;

/** What a secret's metadata shows: never its value. */
export function secretView(ref: SecretRef) {
  return {
    name: ref.name,
    version: ref.version,
    last4: ref.last4,
    created_at: iso(ref.created_at),
    updated_at: iso(ref.updated_at),
    updated_by: ref.updated_by,
  };
}

/** The secret a license's `user_api_key` is kept in: stable per license number. */
export function licenseSecretName(licenseNumber: string): string {
  return `license-${createHash('sha256').update(licenseNumber).digest('hex').slice(0, 16)}`;
}

/** A value to store, by secret name. */
export interface SecretInput {
  name: string;
  value: string;
}

/**
 * Values added to Secret Manager ahead of the Firestore commit that references them. Firestore
 * keeps only `refs`. If the commit fails, `rollback` undoes exactly what this request added (see
 * `createSecretService`); once it succeeds, `retire` disables the versions they replaced.
 */
export interface StagedSecrets {
  refs: SecretRef[];
  rollback(): Promise<void>;
  retire(previous: SecretRef[]): Promise<void>;
}

/** Named secrets of an organization: values in Secret Manager, references in Firestore. */
export function createSecretService({
  organizations,
  vault,
  now = () => new Date(),
}: {
  organizations: OrganizationStore;
  vault: SecretStore;
  now?: () => Date;
}) {
  /**
   * Undoes a request's staging after its commit failed or was refused. Secret names are shared by
   * concurrent requests (`org_{org}_{name}`: a second request adds version 2 to the secret the
   * first one created), so the undo touches only what is provably this request's:
   * 1. the organization's secret references are read once: a version a reference names was
   *    committed after all (an ambiguous commit) and is kept;
   * 2. the versions this request added, and only those, are destroyed (by their full names);
   *    an add that failed leaves nothing to undo here (a secret it created before failing stays,
   *    empty: Secret Manager was failing, and is not called again for it);
   * 3. a secret no reference names is deleted only if every version it holds is destroyed
   *    (`vault.deleteIfEmpty`, conditional on the secret's etag: a concurrent request's version
   *    keeps it, even one added between the check and the delete, as `addVersion` explains).
   * So a rolled-back first version leaves nothing behind, and a concurrent request's version,
   * committed or still in flight, is never touched. If the references cannot be read (Firestore
   * down), the versions are destroyed as before and the secret is left: logged for an operator.
   */
  async function undo(
    orgId: string,
    inputs: SecretInput[],
    added: (StoredVersion | undefined)[],
  ): Promise<void> {
    if (!added.some(Boolean)) return;
    let refs: SecretRef[] | undefined;
    try {
      refs = await organizations.secretRefs(orgId);
    } catch (error) {
      logger.error('Could not read secret references to clean up after a failed write.', {
        organization_id: orgId,
        error: String(error),
      });
    }
    const committed = new Set(refs?.map((ref) => ref.version_name));
    const referenced = new Set(refs?.map((ref) => ref.secret_id));
    await Promise.all(
      inputs.map(async ({ name }, i) => {
        const secretId = secretIdFor(orgId, name);
        const version = added[i];
        // An add that failed (Secret Manager failing or unreachable) is not retried into it.
        if (!version || committed.has(version.name)) return;
        const gone = await vault.destroyVersion(version.name).then(
          () => true,
          (error: unknown) => {
            // Left enabled but unreferenced: say so, for an operator to clean up.
            logger.error('Could not destroy an unreferenced secret version.', {
              version_name: version.name,
              error: String(error),
            });
            return false;
          },
        );
        if (!gone) return;
        if (!refs || referenced.has(secretId)) return;
        await vault.deleteIfEmpty(secretId).catch((error: unknown) => {
          logger.error('Could not delete a secret left without versions.', {
            secret_id: secretId,
            error: String(error),
          });
        });
      }),
    );
  }

  /** Adds every value as a new version; all or none (what was added is undone again). */
  async function stage(
    orgId: string,
    caller: Caller,
    inputs: SecretInput[],
  ): Promise<StagedSecrets> {
    const results = await Promise.allSettled(
      inputs.map(({ name, value }) => vault.addVersion(secretIdFor(orgId, name), value)),
    );
    const added = results.map((result) =>
      result.status === 'fulfilled' ? result.value : undefined,
    );
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) {
      await undo(orgId, inputs, added);
      throw failed.reason;
    }
    const at = now();
    const refs = inputs.map(({ name, value }, i) => ({
      name,
      secret_id: secretIdFor(orgId, name),
      version_name: added[i]!.name,
      version: added[i]!.version,
      // The last four characters, not UTF-16 code units: half an emoji is no text Firestore takes.
      last4: value.length >= LAST4_MIN_LENGTH ? Array.from(value).slice(-4).join('') : '',
      created_at: at,
      updated_at: at,
      updated_by: caller.uid,
    }));
    return {
      refs,
      rollback: () => undo(orgId, inputs, added),
      retire: async (previous) => {
        await Promise.all(
          previous.map((ref) =>
            vault.disableVersion(ref.version_name).catch((error: unknown) => {
              logger.warn('Could not disable a replaced secret version.', {
                version_name: ref.version_name,
                error: String(error),
              });
            }),
          ),
        );
      },
    };
  }

  /**
   * Runs a Firestore change that references staged secrets: writes the references in the same
   * transaction, destroys the new versions if it fails, disables the replaced ones if it commits.
   */
  async function withStaged<T>(
    staged: StagedSecrets,
    work: (transaction: OrgTransaction, replaced: SecretRef[]) => Promise<T>,
    orgId: string,
  ): Promise<T> {
    let previous: SecretRef[] = [];
    let result: T;
    try {
      result = await organizations.transact(async (transaction) => {
        const existing = await transaction.secretRefs(orgId);
        const names = new Set(staged.refs.map((ref) => ref.name));
        previous = existing.filter((ref) => names.has(ref.name));
        const value = await work(transaction, previous);
        // Live secrets only: those the same change removes do not count.
        const removed = transaction.deletedSecrets();
        const total = [...new Set([...existing.map((ref) => ref.name), ...names])].filter(
          (name) => names.has(name) || !removed.has(name),
        ).length;
        if (total > MAX_SECRETS) {
          throw new ApiError(
            'resource-exhausted',
            `An organization has at most ${MAX_SECRETS} secrets; ${orgId} would have ${total}.`,
          );
        }
        for (const ref of staged.refs) {
          const before = previous.find((old) => old.name === ref.name);
          transaction.putSecretRef(orgId, before ? { ...ref, created_at: before.created_at } : ref);
        }
        return value;
      });
    } catch (error) {
      await staged.rollback();
      throw error;
    }
    await staged.retire(previous);
    return result;
  }

  /**
   * Destroys a secret whose reference is gone. Its reference committed first, so a failure here
   * leaves a value no reference points to: logged for an operator, and retried by the next purge
   * or delete of the same name.
   */
  async function destroy(secretId: string): Promise<void> {
    await vault.deleteSecret(secretId).catch((error: unknown) => {
      logger.error('Could not destroy a secret whose reference was removed.', {
        secret_id: secretId,
        error: String(error),
      });
    });
  }

  /** The owner and admins see an organization's secrets (names and metadata, never values). */
  const readableBy = (caller: Caller, orgId: string) =>
    readRights(organizations, caller, orgId, 'admin', 'see its secrets');

  return {
    stage,
    withStaged,

    /** The organization's secrets, by name: metadata only (at most `MAX_SECRETS` of them). */
    async list(caller: Caller, orgId: string) {
      await readableBy(caller, orgId);
      return (await organizations.secretRefs(orgId)).map(secretView);
    },

    /** One secret's metadata, with the same rights as the list. */
    async get(caller: Caller, orgId: string, name: string) {
      await readableBy(caller, orgId);
      const ref = (await organizations.secretRefs(orgId)).find((found) => found.name === name);
      if (!ref) throw new ApiError('not-found', `${orgId} has no secret ${name}.`);
      return secretView(ref);
    },

    /**
     * Stores a value: a new secret (`created`) or a new version of it, the old one disabled. The
     * organization's version does not change (its document is not written), but `If-Match` must
     * still name it: `version` is the one the write was checked against.
     */
    async put(
      caller: Caller,
      orgId: string,
      name: string,
      value: string,
      ifMatch: string[] | undefined,
    ) {
      const check = (snapshot: OrgSnapshot) => {
        const access = resolveAccess(orgId, snapshot.org, snapshot.member, caller);
        requireRights(access, 'admin', 'manage its secrets');
        requireWritable(access.org);
        requireVersion(access.org, ifMatch);
        return access.org.version;
      };
      // Checked before the value reaches Secret Manager, and again in the transaction.
      check(await organizations.read(orgId, caller.uid));
      const staged = await stage(orgId, caller, [{ name, value }]);
      const { created_at, version } = await withStaged(
        staged,
        async (transaction, [replaced]) => {
          const current = check(await transaction.read(orgId, caller.uid));
          const action = replaced ? 'secret.rotated' : 'secret.created';
          transaction.log(orgId, logEntry(caller, action, ['secrets'], now(), name));
          // A new version keeps the secret's creation time (as `withStaged` stores it).
          return { created_at: replaced?.created_at, version: current };
        },
        orgId,
      );
      const [ref] = staged.refs;
      return {
        secret: secretView({ ...ref, created_at: created_at ?? ref.created_at }),
        created: created_at === undefined,
        version,
      };
    },

    /**
     * Deletes a secret: its reference and log entry in a transaction that checks rights, state and
     * `If-Match`, then the value in Secret Manager, so a refused delete loses nothing. A license
     * that still names the secret keeps it (remove the license, or its key, instead). The
     * organization's version does not change; it is returned as checked.
     */
    async remove(caller: Caller, orgId: string, name: string, ifMatch: string[] | undefined) {
      const check = ({ org, member }: OrgSnapshot, refs: SecretRef[]) => {
        const access = resolveAccess(orgId, org, member, caller);
        requireRights(access, 'admin', 'manage its secrets');
        requireWritable(access.org);
        requireVersion(access.org, ifMatch);
        const found = refs.find((candidate) => candidate.name === name);
        if (!found) throw new ApiError('not-found', `${orgId} has no secret ${name}.`);
        if (access.org.licenses.some((license) => license.user_api_key_secret === name)) {
          throw new ApiError(
            'failed-precondition',
            `The secret ${name} is a license's API key: remove the license, or its key, instead.`,
          );
        }
        return { ref: found, version: access.org.version };
      };
      // The reference goes first, in the transaction that checks rights and If-Match; the value
      // is destroyed once nothing refers to it (a failure there is logged, never a lost value).
      const { ref, version } = await organizations.transact(async (transaction) => {
        const checked = check(
          ...(await Promise.all([
            transaction.read(orgId, caller.uid),
            transaction.secretRefs(orgId),
          ])),
        );
        transaction.deleteSecretRef(orgId, name);
        transaction.log(orgId, logEntry(caller, 'secret.deleted', ['secrets'], now(), name));
        return checked;
      });
      await destroy(ref.secret_id);
      return { version };
    },

    /** Destroys secrets whose references a committed change removed. */
    async destroy(orgId: string, names: string[]): Promise<void> {
      await Promise.all(names.map((name) => destroy(secretIdFor(orgId, name))));
    },

    /** Deletes every secret of an organization from Secret Manager (before a purge). */
    async purge(orgId: string): Promise<void> {
      const refs = await organizations.secretRefs(orgId);
      await Promise.all(refs.map((ref) => vault.deleteSecret(ref.secret_id)));
    },
  };
}

export type SecretService = ReturnType<typeof createSecretService>;
