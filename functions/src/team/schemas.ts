import * as z from 'zod';
import { orgIdSchema, RESERVED_ID, uidSchema } from '../organizations/schemas';
import { asciiLower } from '../text';

export const MAX_BULK = 100;

const limit = z.coerce.number().int().min(1).max(100).default(25);
const cursor = z.string().max(1024).optional();

export const teamQuery = z.object({
  limit,
  cursor,
  order_by: z.enum(['name', 'email', 'role', 'joined_at']).default('name'),
  order: z.enum(['asc', 'desc']).default('asc'),
});
export type TeamQuery = z.output<typeof teamQuery>;

/** Roles a member can be given: `owner` changes hands only by transfer. */
export const grantableRole = z.enum(['admin', 'member', 'viewer']);
export type GrantableRole = z.output<typeof grantableRole>;

/**
 * An invitee's address, as its identity: ASCII lower-cased only (see `asciiLower`). `z.email()`
 * takes ASCII addresses only, so a Kelvin sign (U+212A) can never stand in for a `k`.
 */
const email = z
  .email('Not an email address: give one in ASCII characters, like "kate@example.com".')
  .max(254)
  .transform(asciiLower);

const entryFields = {
  uid: uidSchema.optional(),
  email: email.optional(),
  role: grantableRole.default('member'),
};

const oneOfUidOrEmail = (entry: { uid?: string; email?: string }) =>
  (entry.uid === undefined) !== (entry.email === undefined);
const oneOfMessage = { message: 'Give either a uid or an email.', path: ['uid'] };

export const memberEntry = z.strictObject(entryFields).refine(oneOfUidOrEmail, oneOfMessage);
export type MemberEntry = z.output<typeof memberEntry>;

const bulk = z.strictObject({ members: z.array(memberEntry).min(1).max(MAX_BULK) });

/**
 * One member (`{uid|email, role?}`) or a bulk list (`{members: [...]}`, up to 100), told apart
 * by `members`, so that errors name the fields of the form the client meant.
 */
export const addMembersBody = z.unknown().transform((body, context) => {
  const isBulk = typeof body === 'object' && body !== null && 'members' in body;
  const result = isBulk ? bulk.safeParse(body) : memberEntry.safeParse(body);
  if (!result.success) {
    for (const issue of result.error.issues) context.addIssue(issue as never);
    return z.NEVER;
  }
  const entries: MemberEntry[] = 'members' in result.data ? result.data.members : [result.data];
  return { bulk: isBulk, entries };
});
export type AddMembersInput = z.output<typeof addMembersBody>;

export const memberParams = z.strictObject({ org_id: orgIdSchema, uid: uidSchema });

export const roleBody = z.strictObject({ role: grantableRole });

export const transferBody = z.strictObject({ uid: uidSchema });

export const invitationBody = z.strictObject({
  email,
  role: grantableRole.default('member'),
  expires_in_days: z.number().int().min(1).max(30).default(7),
});
export type InvitationInput = z.output<typeof invitationBody>;

export const invitationIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{20,40}$/, { message: 'Not an invitation id.', abort: true })
  .refine((id) => !RESERVED_ID.test(id), 'Not an invitation id.');

export const invitationParams = z.strictObject({
  org_id: orgIdSchema,
  invitation_id: invitationIdSchema,
});

export const myInvitationParams = z.strictObject({ invitation_id: invitationIdSchema });

export const pageQuery = z.object({ limit, cursor });
