import type { DocumentSnapshot } from 'firebase-admin/firestore';
import * as z from 'zod';
import { db } from '../firebase';
import { parseStored } from '../firestore';

/** An API key as stored in `api_keys/{digest}`: everything but the key itself. */
const apiKeyRecord = z.object({
  key_id: z.string(),
  uid: z.string(),
  name: z.string(),
  scopes: z.array(z.enum(['read', 'write'])),
  prefix: z.string(),
  last4: z.string(),
  created_at: z.date(),
  expires_at: z.date(),
  last_used_at: z.date().nullable(),
  revoked_at: z.date().nullable(),
});
export type ApiKeyRecord = z.output<typeof apiKeyRecord>;

export interface StoredKey {
  digest: string;
  record: ApiKeyRecord;
}

const collection = () => db().collection('api_keys');

function fromSnapshot(snapshot: DocumentSnapshot): StoredKey | null {
  const record = parseStored(apiKeyRecord, snapshot);
  return record ? { digest: snapshot.id, record } : null;
}

/** API keys in Firestore, addressed by their digest: a lookup is one document read, never a scan. */
export const apiKeyStore = {
  async create(digest: string, record: ApiKeyRecord): Promise<void> {
    await collection().doc(digest).create(record);
  },

  async get(digest: string): Promise<StoredKey | null> {
    return fromSnapshot(await collection().doc(digest).get());
  },

  /** The user's keys that are not revoked. */
  async listForUser(uid: string): Promise<StoredKey[]> {
    const snapshot = await collection()
      .where('uid', '==', uid)
      .where('revoked_at', '==', null)
      .get();
    return snapshot.docs.flatMap((doc) => fromSnapshot(doc) ?? []);
  },

  async findForUser(uid: string, keyId: string): Promise<StoredKey | null> {
    const snapshot = await collection()
      .where('uid', '==', uid)
      .where('key_id', '==', keyId)
      .limit(1)
      .get();
    return snapshot.empty ? null : fromSnapshot(snapshot.docs[0]);
  },

  async revoke(digest: string, at: Date): Promise<void> {
    await collection().doc(digest).update({ revoked_at: at });
  },

  async touch(digest: string, at: Date): Promise<void> {
    await collection().doc(digest).update({ last_used_at: at });
  },
};

export type ApiKeyStore = typeof apiKeyStore;
