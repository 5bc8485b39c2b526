// Every API call of the console goes through the typed client (client/, generated from the
// OpenAPI document) at this origin's /api (Hosting's rewrite), with the signed-in user's ID token
// (the SDK refreshes it). `call` turns an answer into its data or an ApiError carrying the API's
// own message.
import type { Auth } from 'firebase/auth';
import { createClient, type components } from '../client/index';

type Schemas = components['schemas'];
export type Organization = Schemas['Organization'];
export type PublicOrganization = Schemas['OrganizationPublic'];
export type Summary = Schemas['Summary'];
export type Member = Schemas['Member'];
export type Invitation = Schemas['Invitation'];
export type ApiKey = Schemas['ApiKey'];
export type ApiKeyCreated = Schemas['ApiKeyCreated'];
export type SecretRef = Schemas['SecretRef'];
export type LogEntry = Schemas['LogEntry'];
export type DataModel = Schemas['DataModel'];
export type UserProfile = Schemas['UserProfile'];
export type Role = 'owner' | 'admin' | 'member' | 'viewer';

export const api = createClient({ baseUrl: '/api' });

let auth: Auth | undefined;

export function useAuth(value: Auth): void {
  auth = value;
}

api.use({
  async onRequest({ request }) {
    const token = await auth?.currentUser?.getIdToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
});

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

interface Answer<T> {
  data?: { data: T; next_cursor?: string | null };
  error?: unknown;
  response: Response;
}

export interface Result<T> {
  data: T;
  /** The next page's cursor, null on the last page. */
  next: string | null;
  etag: string | null;
}

/** The answer's data, or an ApiError with the API's message. */
export async function call<T>(request: Promise<Answer<T>>): Promise<Result<T>> {
  let answer: Answer<T>;
  try {
    answer = await request;
  } catch (error) {
    throw new ApiError(`The API could not be reached: ${(error as Error).message}`, 0);
  }
  const { data, error, response } = answer;
  if (!response.ok || !data) {
    const body = error as { message?: string; error?: { code?: string } } | undefined;
    throw new ApiError(
      body?.message ?? `${response.status} ${response.statusText}`,
      response.status,
      body?.error?.code,
    );
  }
  return { data: data.data, next: data.next_cursor ?? null, etag: response.headers.get('etag') };
}
