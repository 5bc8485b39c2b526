// The app: signed out, the sign-in form; signed in with an unverified email, the "verify your
// email" state; then the shell (organization switcher, navigation) around one screen, chosen by
// the location's hash (#/o/<org>/<screen>, #/invitations, #/keys, #/profile...).
import {
  createUserWithEmailAndPassword,
  onIdTokenChanged,
  sendEmailVerification,
  sendPasswordResetEmail,
  signInWithEmailAndPassword,
  signOut,
  type Auth,
  type User,
} from 'firebase/auth';
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { api, call, type Organization, type Role } from './api';
import { ApiKeys, MyProfile } from './account';
import { AuditLog, Secrets } from './admin';
import { DataModels, Directory, NewOrganization, Organizations, Overview, Settings } from './orgs';
import { Inbox, Team } from './team';
import { ErrorMessage, Progress, TextField, useAction, useLoad, type Load } from './ui';

const LAST_ORG = 'console.organization';

export interface Session {
  user: User;
  /** My organizations (the first page, up to 100): the switcher's list and my role in each. */
  organizations: Load<Organization[]>;
  go: (hash: string) => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  return useContext(SessionContext)!;
}

/** My role in an organization, from my organizations' list. */
export function useRole(orgId: string): Role | null {
  const found = useSession().organizations.value?.find((org) => org.organization_id === orgId);
  return found?.role ?? null;
}

export const can = {
  edit: (role: Role | null) => role === 'owner' || role === 'admin' || role === 'member',
  manage: (role: Role | null) => role === 'owner' || role === 'admin',
  own: (role: Role | null) => role === 'owner',
};

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

export function App({ auth }: { auth: Auth }) {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [, setRound] = useState(0);
  useEffect(
    () =>
      onIdTokenChanged(auth, (next) => {
        setUser(next);
        setRound((n) => n + 1);
      }),
    [auth],
  );
  if (user === undefined) return <Progress loading label="Signing in…" />;
  if (!user) return <SignIn auth={auth} />;
  if (!user.emailVerified) return <VerifyEmail auth={auth} user={user} />;
  return <Shell auth={auth} user={user} />;
}

const AUTH_MESSAGES: Record<string, string> = {
  'auth/invalid-credential': 'Wrong email or password.',
  'auth/user-not-found': 'Wrong email or password.',
  'auth/wrong-password': 'Wrong email or password.',
  'auth/email-already-in-use': 'An account with this email exists already: sign in instead.',
  'auth/weak-password': 'That password is too weak: use at least 6 characters.',
  'auth/invalid-email': 'That email address is not valid.',
  'auth/missing-password': 'Type your password.',
  'auth/too-many-requests': 'Too many attempts: wait a moment and try again.',
};

/** Firebase Auth's error as a sentence (its code kept for support). */
async function plainly(action: Promise<unknown>): Promise<void> {
  try {
    await action;
  } catch (error) {
    const code = (error as { code?: string }).code;
    const sentence = code && AUTH_MESSAGES[code];
    throw sentence ? new Error(`${sentence} (${code})`) : error;
  }
}

function SignIn({ auth }: { auth: Auth }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [notice, setNotice] = useState('');
  const action = useAction();
  const submit = (mode: 'sign-in' | 'sign-up') => (event: Event) => {
    event.preventDefault();
    setNotice('');
    void action.run(async () => {
      if (mode === 'sign-in') await plainly(signInWithEmailAndPassword(auth, email, password));
      else {
        await plainly(createUserWithEmailAndPassword(auth, email, password));
        await sendEmailVerification(auth.currentUser!);
      }
    });
  };
  const reset = () =>
    action.run(async () => {
      await plainly(sendPasswordResetEmail(auth, email));
      setNotice(`A password reset link was sent to ${email}.`);
    });
  return (
    <main class="narrow">
      <h1>Organizations console</h1>
      <form onSubmit={submit('sign-in')}>
        <TextField
          label="Email"
          type="email"
          value={email}
          onInput={setEmail}
          required
          autoComplete="email"
        />
        <TextField
          label="Password"
          type="password"
          value={password}
          onInput={setPassword}
          required
          autoComplete="current-password"
        />
        <div class="actions">
          <button type="submit" disabled={action.busy}>
            Sign in
          </button>
          <button type="button" disabled={action.busy} onClick={submit('sign-up')}>
            Create account
          </button>
          <button type="button" class="link" disabled={action.busy || !email} onClick={reset}>
            Reset password
          </button>
        </div>
        <Progress loading={action.busy} label="Working…" />
        <ErrorMessage error={action.error} />
        {notice && <p role="status">{notice}</p>}
      </form>
      <p>
        <a href="/docs/">API reference</a>
      </p>
    </main>
  );
}

function VerifyEmail({ auth, user }: { auth: Auth; user: User }) {
  const action = useAction();
  const [notice, setNotice] = useState('');
  const check = () =>
    action.run(async () => {
      await user.reload();
      if (!user.emailVerified) throw new Error('Your email address is not verified yet.');
      await user.getIdToken(true);
    });
  const resend = () =>
    action.run(async () => {
      await sendEmailVerification(user);
      setNotice(`A new verification link was sent to ${user.email}.`);
    });
  return (
    <main class="narrow">
      <h1>Verify your email</h1>
      <p>
        We sent a verification link to <strong>{user.email}</strong>. Open it, then continue here.
      </p>
      <div class="actions">
        <button type="button" onClick={check} disabled={action.busy}>
          I have verified my email
        </button>
        <button type="button" onClick={resend} disabled={action.busy}>
          Resend the link
        </button>
        <button type="button" onClick={() => void signOut(auth)}>
          Sign out
        </button>
      </div>
      <Progress loading={action.busy} label="Working…" />
      <ErrorMessage error={action.error} />
      {notice && <p role="status">{notice}</p>}
    </main>
  );
}

const ORG_SCREENS = ['overview', 'team', 'secrets', 'logs', 'settings', 'models'] as const;

function Shell({ auth, user }: { auth: Auth; user: User }) {
  const hash = useHash();
  const organizations = useLoad(
    async () =>
      (await call(api.GET('/organizations', { params: { query: { limit: 100 } } })))
        .data as Organization[],
    [user.uid],
  );
  const go = (next: string) => {
    location.hash = next;
  };
  const [, top, orgId, screen] = /^#\/([^/]*)\/?([^/]*)\/?([^/]*)/.exec(hash) ?? [];
  const current = top === 'o' ? decodeURIComponent(orgId) : localStorage.getItem(LAST_ORG);
  useEffect(() => {
    if (top === 'o' && orgId) localStorage.setItem(LAST_ORG, decodeURIComponent(orgId));
  }, [top, orgId]);
  // No screen named: the last organization's overview, or the list when there is none.
  useEffect(() => {
    if (top || !organizations.value) return;
    const mine = organizations.value.map((org) => org.organization_id);
    const last = localStorage.getItem(LAST_ORG);
    const target = last && mine.includes(last) ? last : mine[0];
    history.replaceState(null, '', target ? `#/o/${target}/overview` : '#/orgs');
    dispatchEvent(new HashChangeEvent('hashchange'));
  }, [top, organizations.value]);

  const orgLink = (page: string) =>
    current ? `#/o/${encodeURIComponent(current)}/${page}` : '#/orgs';
  const links: [string, string][] = [
    ['Overview', orgLink('overview')],
    ['Team', orgLink('team')],
    ['Secrets', orgLink('secrets')],
    ['Audit log', orgLink('logs')],
    ['Settings', orgLink('settings')],
    ['Data models', orgLink('models')],
    ['Invitations', '#/invitations'],
    ['API keys', '#/keys'],
    ['Organizations', '#/orgs'],
    ['Directory', '#/directory'],
    ['My profile', '#/profile'],
  ];
  const here = top === 'o' ? orgLink(screen || 'overview') : `#/${top}`;

  let body;
  if (top === 'o' && orgId) {
    const id = decodeURIComponent(orgId);
    const page = (ORG_SCREENS as readonly string[]).includes(screen) ? screen : 'overview';
    body =
      page === 'team' ? (
        <Team orgId={id} />
      ) : page === 'secrets' ? (
        <Secrets orgId={id} />
      ) : page === 'logs' ? (
        <AuditLog orgId={id} />
      ) : page === 'settings' ? (
        <Settings orgId={id} />
      ) : page === 'models' ? (
        <DataModels orgId={id} />
      ) : (
        <Overview orgId={id} />
      );
  } else if (top === 'new') body = <NewOrganization />;
  else if (top === 'directory') body = <Directory />;
  else if (top === 'invitations') body = <Inbox />;
  else if (top === 'keys') body = <ApiKeys />;
  else if (top === 'profile') body = <MyProfile />;
  else if (top === 'orgs') body = <Organizations />;
  else body = <Progress loading />;

  return (
    <SessionContext.Provider value={{ user, organizations, go }}>
      <header class="top">
        <a class="brand" href="#/orgs">
          Organizations
        </a>
        <Switcher current={current} organizations={organizations} />
        <span class="who">{user.email}</span>
        <button type="button" onClick={() => void signOut(auth)}>
          Sign out
        </button>
      </header>
      <nav class="main-nav" aria-label="Console">
        <ul>
          {links.map(([label, href]) => (
            <li key={label}>
              <a href={href} aria-current={href === here ? 'page' : undefined}>
                {label}
              </a>
            </li>
          ))}
          <li>
            <a href="/docs/">API docs</a>
          </li>
        </ul>
      </nav>
      <main>{body}</main>
    </SessionContext.Provider>
  );
}

function Switcher({
  current,
  organizations,
}: {
  current: string | null;
  organizations: Load<Organization[]>;
}) {
  const list = organizations.value ?? [];
  const known = list.some((org) => org.organization_id === current);
  return (
    <span class="switcher">
      <label for="switcher">Organization</label>
      <select
        id="switcher"
        value={known ? (current ?? '') : ''}
        onChange={(event) => {
          const id = event.currentTarget.value;
          location.hash = id ? `#/o/${encodeURIComponent(id)}/overview` : '#/new';
        }}
      >
        {!known && <option value="">Choose…</option>}
        {list.map((org) => (
          <option key={org.organization_id} value={org.organization_id}>
            {org.name}
          </option>
        ))}
      </select>
      <a href="#/new" class="button">
        New organization
      </a>
    </span>
  );
}
