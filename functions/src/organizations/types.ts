// The stored records' types come from their zod schemas (model/records.ts); this file keeps the
// names the services import.
export type {
  DataModel,
  InvitationRecord,
  InvitationStatus,
  License,
  LogEntry,
  MemberRecord,
  OrganizationRecord,
  SecretRef,
} from '../model/records';

/** A `mail` document in the format of the Firebase "Trigger Email" extension. */
export interface MailRecord {
  to: string;
  message: { subject: string; text: string; html: string };
}
