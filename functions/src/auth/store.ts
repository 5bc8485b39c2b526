import type { DocumentSnapshot } from 'firebase-admin/firestore';
import { db, firestoreSdk } from '../firebase';
import type { Scope } from './caller';

/** An API key as stored in `api_keys/{digest}`: everything but the key itself. */
export interface ApiKeyRecord {
  key_id: string;
  uid: string;
  name: string;
  scopes: Scope[];
  prefix: string;
  last4: string;
  created_at: Date;
  expires_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface StoredKey {
  digest: string;
  record: ApiKeyRecord;
}

const collection = () => db().collection('api_keys');

function toDate(value: unknown): Date | null {
  return value instanceof firestoreSdk().Timestamp ? value.toDate() : null;
}

function fromSnapshot(snapshot: DocumentSnapshot): StoredKey | null {
  const data = snapshot.data();
  if (!data) return null;
  return {
    digest: snapshot.id,
    record: {
      ...(data as ApiKeyRecord),
      created_at: toDate(data.created_at)!,
      expires_at: toDate(data.expires_at)!,
      last_used_at: toDate(data.last_used_at),
      revoked_at: toDate(data.revoked_at),
    },
  };
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
    return snapshot.docs.map((doc) => fromSnapshot(doc)!);
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
