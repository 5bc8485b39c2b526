import * as z from 'zod';

const text = (max: number) => z.string().trim().max(max);

export const profileBody = z
  .strictObject({
    name: text(100),
    position: text(100),
    phone_number: text(40),
    type: text(40),
    license: text(100),
    photo_url: z.union([z.literal(''), z.url().max(2048)]),
  })
  .partial();
export type ProfileInput = z.output<typeof profileBody>;
