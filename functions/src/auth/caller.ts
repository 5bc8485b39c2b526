/** How the caller proved who they are. */
export type CredentialKind = 'id_token' | 'session' | 'api_key';

export type Scope = 'read' | 'write';

/** Who is calling, as `authenticate` established it; `null` on a request without credentials. */
export interface Caller {
  uid: string;
  email: string | null;
  email_verified: boolean;
  name: string | null;
  credential: CredentialKind;
  /** The API key's id when `credential` is `api_key`. */
  key_id: string | null;
  scopes: Scope[];
  /** A platform administrator (custom claim `admin: true`): owner rights everywhere. */
  admin: boolean;
}

declare module 'express-serve-static-core' {
  interface Request {
    caller?: Caller | null;
  }
}
