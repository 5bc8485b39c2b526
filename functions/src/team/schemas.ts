import * as z from 'zod';
import { orgIdSchema, RESERVED_ID, ROLES, uidSchema } from '../organizations/schemas';
import { pageFields } from '../paging';
import { asciiLower } from '../text';

export const MAX_BULK = 100;

export const teamQuery = z.object({
  ...pageFields,
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

// The answers, each a named schema of the OpenAPI document.

const isoDate = z.iso.datetime();
const invitationId = z.string().meta({ example: 'x3V9kq0TfQ2mB7rLw1sYcA8n' });

/** A team entry: the Cannlytics team fields plus role and joined_at. */
export const memberSchema = z
  .object({
    name: z.string(),
    uid: z.string(),
    photo_url: z.string(),
    position: z.string(),
    email: z.string(),
    type: z.string(),
    phone_number: z.string(),
    signed_in: z.boolean(),
    license: z.string(),
    role: z.enum(ROLES),
    joined_at: isoDate,
  })
  .meta({
    id: 'Member',
    description: 'A member of the team, as the Cannlytics team page lists them.',
    example: {
      name: 'Keegan Skeate',
      uid: 'qXRaz2QQW8RwTlJjpP39c1I8xM03',
      photo_url: 'https://cannlytics.com/robohash/qXRaz2QQW8RwTlJjpP39c1I8xM03',
      position: 'Chemist',
      email: 'keegan@cannlytics.com',
      type: 'analyst',
      phone_number: '',
      signed_in: true,
      license: '',
      role: 'admin',
      joined_at: '2026-11-30T17:02:41.000Z',
    },
  });

/** An invitation, as its organization's admins and its invitee see it. */
export const invitationSchema = z
  .object({
    id: invitationId,
    organization_id: z.string(),
    organization_name: z.string(),
    email: z.string().nullable().meta({ description: 'The invited address (lower-cased).' }),
    uid: z.string().nullable().meta({ description: 'The invited account, when invited by uid.' }),
    role: grantableRole,
    status: z.enum(['pending', 'accepted', 'declined', 'revoked', 'expired']),
    invited_by: z.string(),
    created_at: isoDate,
    expires_at: isoDate,
    responded_at: isoDate.nullable(),
  })
  .meta({
    id: 'Invitation',
    example: {
      id: 'x3V9kq0TfQ2mB7rLw1sYcA8n',
      organization_id: 'test-company',
      organization_name: 'Test Company',
      email: 'kate@example.com',
      uid: null,
      role: 'member',
      status: 'pending',
      invited_by: 'qXRaz2QQW8RwTlJjpP39c1I8xM03',
      created_at: '2026-12-01T09:00:00.000Z',
      expires_at: '2026-12-08T09:00:00.000Z',
      responded_at: null,
    },
  });

/** What happened to one entry of an add. */
export const teamAdditionSchema = z
  .object({
    uid: z.string().nullable(),
    email: z.string().nullable(),
    role: z.enum(ROLES),
    status: z.enum(['added', 'invited', 'already_member']).meta({
      description:
        '`added` (platform admins adding an account by uid), `invited` (an invitation waits for the invitee), or `already_member`.',
    }),
    invitation_id: invitationId.optional(),
  })
  .meta({
    id: 'TeamAddition',
    example: {
      uid: null,
      email: 'kate@example.com',
      role: 'member',
      status: 'invited',
      invitation_id: 'x3V9kq0TfQ2mB7rLw1sYcA8n',
    },
  });

/** One entry for a one-member add, a list in the body's order for a bulk add. */
export const teamAdditionsSchema = z
  .union([teamAdditionSchema, z.array(teamAdditionSchema)])
  .meta({ id: 'TeamAdditions' });

export const transferSchema = z
  .object({ organization_id: z.string(), owner: z.string(), previous_owner: z.string() })
  .meta({ id: 'OwnershipTransfer' });

export const memberRemovedSchema = z
  .object({ organization_id: z.string(), uid: z.string(), removed: z.literal(true) })
  .meta({ id: 'MemberRemoved' });

export const teamLeftSchema = z
  .object({ organization_id: z.string(), left: z.literal(true) })
  .meta({ id: 'TeamLeft' });

export const invitationRevokedSchema = z
  .object({ organization_id: z.string(), invitation_id: z.string(), revoked: z.literal(true) })
  .meta({ id: 'InvitationRevoked' });

export const invitationAcceptedSchema = z
  .object({ organization_id: z.string(), role: z.enum(ROLES) })
  .meta({ id: 'InvitationAccepted' });

export const invitationDeclinedSchema = z
  .object({ organization_id: z.string(), invitation_id: z.string(), declined: z.literal(true) })
  .meta({ id: 'InvitationDeclined' });
