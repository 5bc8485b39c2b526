import * as z from 'zod';

/** The page size when a list request names none: a client that ignores `next_cursor` sees 100. */
export const DEFAULT_PAGE_SIZE = 100;

/** `limit` and `cursor`, the paging of every list, to spread into its query schema. */
export const pageFields = {
  limit: z.coerce.number().int().min(1).max(100).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().max(1024).optional(),
};

export const pageQuery = z.object(pageFields);
export type PageQuery = z.output<typeof pageQuery>;
