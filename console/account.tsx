// My account: API keys (create with name, scopes and expiry: the raw key is shown once, with a copy
// button; list with prefix, last 4 and last use; revoke) and my profile.
import { useState } from 'preact/hooks';
import { api, call, type ApiKey, type ApiKeyCreated, type UserProfile } from './api';
import {
  date,
  ErrorMessage,
  Loaded,
  Pager,
  Progress,
  TextField,
  useAction,
  useLoad,
  usePages,
} from './ui';

export function ApiKeys() {
  const [name, setName] = useState('');
  const [days, setDays] = useState('365');
  const [write, setWrite] = useState(true);
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const [copied, setCopied] = useState(false);
  const [round, setRound] = useState(0);
  const pages = usePages(
    (cursor) =>
      call(api.GET('/auth/keys', { params: { query: { limit: 25, cursor } } })) as Promise<{
        data: ApiKey[];
        next: string | null;
        etag: string | null;
      }>,
    [round],
  );
  const action = useAction();
  const create = (event: Event) => {
    event.preventDefault();
    setCopied(false);
    void action.run(async () => {
      const { data } = await call(
        api.POST('/auth/keys', {
          body: {
            name,
            expires_in_days: Number(days),
            scopes: write ? ['read', 'write'] : ['read'],
          },
        }),
      );
      setCreated(data);
      setName('');
      setRound((n) => n + 1);
    });
  };
  const copy = async (key: string) => {
    await navigator.clipboard.writeText(key);
    setCopied(true);
  };
  return (
    <section>
      <h1>API keys</h1>
      <form class="inline" onSubmit={create}>
        <TextField label="Key name" value={name} onInput={setName} required />
        <TextField label="Expires in (days)" type="number" value={days} onInput={setDays} />
        <label class="check">
          <input
            type="checkbox"
            checked={write}
            onChange={(e) => setWrite(e.currentTarget.checked)}
          />
          Write scope (without it: read only)
        </label>
        <button type="submit" disabled={action.busy}>
          Create key
        </button>
      </form>
      {created && (
        <div class="new-key" role="status">
          <p>
            Your new key <strong>{created.name}</strong>: copy it now, it is shown only once.
          </p>
          <code data-testid="new-key">{created.key}</code>{' '}
          <button type="button" onClick={() => void copy(created.key)}>
            Copy
          </button>
          {copied && <span> Copied.</span>}
        </div>
      )}
      <Progress loading={action.busy || pages.loading} />
      <ErrorMessage error={action.error ?? pages.error} />
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Scopes</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {pages.items.map((key) => (
              <tr key={key.key_id}>
                <td>{key.name}</td>
                <td>
                  <code>
                    {key.prefix}…{key.last4}
                  </code>
                </td>
                <td>{key.scopes.join(', ')}</td>
                <td>{date(key.created_at)}</td>
                <td>{date(key.expires_at)}</td>
                <td>{date(key.last_used_at)}</td>
                <td>
                  <button
                    type="button"
                    disabled={action.busy}
                    onClick={() =>
                      action.run(async () => {
                        await call(
                          api.DELETE('/auth/keys/{key_id}', {
                            params: { path: { key_id: key.key_id } },
                          }),
                        );
                        if (created?.key_id === key.key_id) setCreated(null);
                        setRound((n) => n + 1);
                      })
                    }
                  >
                    Revoke {key.name}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager pages={pages} />
    </section>
  );
}

const PROFILE_FIELDS = [
  ['name', 'Name'],
  ['position', 'Position'],
  ['phone_number', 'Phone'],
  ['photo_url', 'Photo URL'],
] as const;
type ProfileKey = (typeof PROFILE_FIELDS)[number][0];

export function MyProfile() {
  const load = useLoad(async () => (await call(api.GET('/users/me'))).data, []);
  return (
    <section class="narrow">
      <h1>My profile</h1>
      <Loaded load={load}>{(profile) => <ProfileForm profile={profile} />}</Loaded>
    </section>
  );
}

function ProfileForm({ profile }: { profile: UserProfile }) {
  const [form, setForm] = useState(
    () =>
      Object.fromEntries(PROFILE_FIELDS.map(([key]) => [key, profile[key]])) as Record<
        ProfileKey,
        string
      >,
  );
  const [saved, setSaved] = useState(false);
  const action = useAction();
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        setSaved(false);
        void action.run(async () => {
          await call(api.PATCH('/users/me', { body: form }));
          setSaved(true);
        });
      }}
    >
      <p>
        {profile.email} <span class="muted">({profile.uid})</span>
      </p>
      {PROFILE_FIELDS.map(([key, label]) => (
        <TextField
          key={key}
          label={label}
          value={form[key]}
          onInput={(value) => setForm({ ...form, [key]: value })}
        />
      ))}
      <div class="actions">
        <button type="submit" disabled={action.busy}>
          Save
        </button>
      </div>
      <Progress loading={action.busy} label="Saving…" />
      <ErrorMessage error={action.error} />
      {saved && <p role="status">Saved.</p>}
    </form>
  );
}
