// The cast of callers of the model-based suite: five ordinary accounts (whose standing in each
// organization the commands change: owner, admin, member, viewer, stranger) and a platform
// admin. A cast serves a bounded number of sequences, then a new one is made: each account's
// custom claims list every organization it belongs to, and stay short enough to compare whole.
import { createUser, type TestUser } from '../../helpers/emulators';
import type { Actor, Role } from './model';

export interface CastMember extends Actor {
  user: TestUser;
}

export interface Cast {
  actors: CastMember[];
  /** Each organization of this cast's sequences: its members' roles in Firestore at the end. */
  registry: Map<string, Map<string, Role>>;
  sequences: number;
}

/** Sequences a cast serves before the next one (keeps claims well under 1,000 bytes). */
export const SEQUENCES_PER_CAST = 12;

const NAMES = ['Ann', 'Ben', 'Cat', 'Dan', 'Eve'];

let current: Cast | null = null;
let casts = 0;

async function newCast(): Promise<Cast> {
  casts += 1;
  const users = await Promise.all([
    ...NAMES.map((name) => createUser({ name: `${name} ${casts}` })),
    createUser({ name: `Pat Platform ${casts}`, claims: { admin: true } }),
  ]);
  const actors = users.map((user, i) => ({
    name: i < NAMES.length ? NAMES[i] : 'Platform',
    uid: user.uid,
    email: user.email,
    platform: i === NAMES.length,
    user,
  }));
  return { actors, registry: new Map(), sequences: 0 };
}

/** The cast for the next sequence. */
export async function castForSequence(): Promise<Cast> {
  if (!current || current.sequences >= SEQUENCES_PER_CAST) current = await newCast();
  current.sequences += 1;
  return current;
}

/** How many actors a command may pick from (five accounts and the platform admin). */
export const ACTORS = NAMES.length + 1;
