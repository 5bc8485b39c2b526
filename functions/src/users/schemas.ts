import * as z from 'zod';
import { httpUrlOrEmpty, singleLine } from '../text';
import { profileRecord } from '../model/records';

export const profileBody = z
  .strictObject({
    name: singleLine(100),
    position: singleLine(100),
    phone_number: singleLine(40),
    type: singleLine(40),
    license: singleLine(100),
    photo_url: httpUrlOrEmpty,
  })
  .partial();
export type ProfileInput = z.output<typeof profileBody>;

/** A user's profile as the API shows it. */
export const userProfile = profileRecord.omit({ signed_in: true }).meta({ id: 'UserProfile' });
