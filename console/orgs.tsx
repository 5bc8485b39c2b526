// Organizations: mine (search, pages), the public directory, a new one, an organization's overview
// (its summary and my role), its profile form (saved with If-Match; a conflict offers reload or
// overwrite), archive / restore / purge, and its data models.
import { useState } from 'preact/hooks';
import {
  api,
  ApiError,
  call,
  type DataModel,
  type Organization,
  type PublicOrganization,
  type Role,
  type SecretRef,
} from './api';
import { can, useRole, useSession } from './app';
import {
  date,
  ErrorMessage,
  Loaded,
  Pager,
  Progress,
  SelectField,
  TextField,
  useAction,
  useLoad,
  usePages,
} from './ui';

const TYPES = ['lab', 'producer', 'processor', 'retailer', 'integrator', 'other'] as const;
type OrgType = (typeof TYPES)[number];

const orgHref = (id: string, page = 'overview') => `#/o/${encodeURIComponent(id)}/${page}`;

export function Organizations() {
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [archived, setArchived] = useState(false);
  const pages = usePages(
    (cursor) =>
      call(
        api.GET('/organizations', {
          params: {
            query: {
              limit: 25,
              cursor,
              q: search || undefined,
              archived: archived ? 'true' : undefined,
            },
          },
        }),
      ) as Promise<{ data: Organization[]; next: string | null; etag: string | null }>,
    [search, archived],
  );
  return (
    <section>
      <h1>My organizations</h1>
      <form
        class="inline"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setSearch(q.trim());
        }}
      >
        <TextField label="Search by name" value={q} onInput={setQ} />
        <button type="submit">Search</button>
        <label class="check">
          <input
            type="checkbox"
            checked={archived}
            onChange={(e) => setArchived(e.currentTarget.checked)}
          />
          Archived (owned by me)
        </label>
      </form>
      <Progress loading={pages.loading} />
      <ErrorMessage error={pages.error} />
      {!pages.loading && !pages.error && pages.items.length === 0 && <p>No organizations yet.</p>}
      <ul class="cards">
        {pages.items.map((org) => (
          <li key={org.organization_id}>
            <a href={orgHref(org.organization_id)}>{org.name}</a>{' '}
            <span class="muted">{org.organization_id}</span>{' '}
            <span class="badge">{org.role ?? 'public'}</span>
          </li>
        ))}
      </ul>
      <Pager pages={pages} />
    </section>
  );
}

export function Directory() {
  const pages = usePages(
    (cursor) =>
      call(
        api.GET('/organizations', { params: { query: { public: 'true', limit: 25, cursor } } }),
      ) as Promise<{
        data: (Organization | PublicOrganization)[];
        next: string | null;
        etag: string | null;
      }>,
    [],
  );
  return (
    <section>
      <h1>Public directory</h1>
      <Progress loading={pages.loading} />
      <ErrorMessage error={pages.error} />
      <ul class="cards">
        {pages.items.map((org) => (
          <li key={org.organization_id}>
            <strong>{org.name}</strong> <span class="muted">{org.type}</span>{' '}
            {[org.city, org.state, org.country].filter(Boolean).join(', ')}
            {org.website && (
              <>
                {' '}
                <a href={org.website} rel="noopener noreferrer">
                  {org.website}
                </a>
              </>
            )}
          </li>
        ))}
      </ul>
      <Pager pages={pages} />
    </section>
  );
}

export function NewOrganization() {
  const { organizations, go } = useSession();
  const [name, setName] = useState('');
  const [type, setType] = useState<OrgType>('lab');
  const [isPublic, setPublic] = useState(false);
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      const { data } = await call(
        api.POST('/organizations', { body: { name, type, public: isPublic } }),
      );
      organizations.reload();
      go(orgHref(data.organization_id));
    });
  };
  return (
    <section class="narrow">
      <h1>New organization</h1>
      <form onSubmit={submit}>
        <TextField label="Name" value={name} onInput={setName} required />
        <SelectField
          label="Type"
          value={type}
          options={TYPES}
          onChange={(value) => setType(value as OrgType)}
        />
        <label class="check">
          <input
            type="checkbox"
            checked={isPublic}
            onChange={(e) => setPublic(e.currentTarget.checked)}
          />
          Public (listed in the directory)
        </label>
        <div class="actions">
          <button type="submit" disabled={action.busy}>
            Create
          </button>
        </div>
        <Progress loading={action.busy} label="Creating…" />
        <ErrorMessage error={action.error} />
      </form>
    </section>
  );
}

/** The organization from my list when it is there (no call), else (an archived one) from the API. */
function useOrganization(orgId: string) {
  const { organizations } = useSession();
  return useLoad(async () => {
    if (!organizations.value) return new Promise<never>(() => undefined); // the list comes first
    const listed = organizations.value.find((org) => org.organization_id === orgId);
    if (listed) return listed;
    const path = { org_id: orgId };
    return (await call(api.GET('/organizations/{org_id}', { params: { path } })))
      .data as Organization;
  }, [orgId, organizations.value]);
}

const ROLE_LABELS: Record<string, string> = {
  owner: 'Owner',
  admin: 'Admins',
  member: 'Members',
  viewer: 'Viewers',
  total: 'Team size',
};

export function Overview({ orgId }: { orgId: string }) {
  const { organizations } = useSession();
  const org = useOrganization(orgId);
  const summary = useLoad(
    async () =>
      (
        await call(
          api.GET('/organizations/{org_id}/summary', { params: { path: { org_id: orgId } } }),
        )
      ).data,
    [orgId],
  );
  if (organizations.error) return <ErrorMessage error={organizations.error} />;
  return (
    <section>
      <Loaded load={org}>
        {(value) => (
          <>
            <h1>{value.name}</h1>
            <p>
              <span class="muted">{value.organization_id}</span> · {value.type} ·{' '}
              {value.public ? 'public' : 'private'} · my role:{' '}
              <strong data-testid="my-role">{value.role ?? 'none'}</strong>
              {value.archived && <strong class="badge warn"> archived</strong>}
            </p>
          </>
        )}
      </Loaded>
      <Loaded load={summary}>
        {(value) => (
          <dl class="summary">
            {Object.entries(value.members as Record<string, number>).map(([role, count]) => (
              <div key={role}>
                <dt>{ROLE_LABELS[role] ?? role}</dt>
                <dd>{count}</dd>
              </div>
            ))}
            <div>
              <dt>Pending invitations</dt>
              <dd>{value.pending_invitations}</dd>
            </div>
            <div>
              <dt>Data models</dt>
              <dd>{value.data_models}</dd>
            </div>
            <div>
              <dt>Secrets</dt>
              <dd>{value.secrets}</dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>{date(value.created_at)}</dd>
            </div>
            <div>
              <dt>Updated</dt>
              <dd>{date(value.updated_at)}</dd>
            </div>
          </dl>
        )}
      </Loaded>
    </section>
  );
}

const TEXT_FIELDS = [
  ['name', 'Name'],
  ['trade_name', 'Trade name'],
  ['email', 'Email'],
  ['phone', 'Phone'],
  ['website', 'Website'],
  ['linkedin', 'LinkedIn'],
  ['address', 'Address'],
  ['city', 'City'],
  ['state', 'State'],
  ['zip_code', 'ZIP code'],
  ['country', 'Country'],
  ['external_id', 'External ID'],
  ['photo_url', 'Photo URL'],
] as const;
type TextKey = (typeof TEXT_FIELDS)[number][0];

interface LicenseForm {
  license_number: string;
  license_type: string;
  state: string;
  /** The stored key's secret name (the key itself is never read back). */
  secret: string | null;
  /** A new key typed here (write-only). */
  key: string;
}

type Form = Record<TextKey, string> & { type: string; public: boolean; licenses: LicenseForm[] };

function formOf(org: Organization): Form {
  const form = { type: org.type, public: org.public } as Form;
  for (const [key] of TEXT_FIELDS) form[key] = org[key] ?? '';
  form.licenses = (org.licenses ?? []).map((license) => ({
    license_number: license.license_number,
    license_type: license.license_type,
    state: license.state,
    secret: license.user_api_key_secret,
    key: '',
  }));
  return form;
}

/** Only what the form changed. */
function changes(form: Form, org: Organization): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const base = formOf(org);
  for (const [key] of TEXT_FIELDS) if (form[key] !== base[key]) patch[key] = form[key];
  if (form.type !== base.type) patch.type = form.type;
  if (form.public !== base.public) patch.public = form.public;
  const licenses = form.licenses.map(({ license_number, license_type, state, key }) => ({
    license_number,
    license_type,
    state,
    ...(key ? { user_api_key: key } : {}),
  }));
  const before = base.licenses.map(({ license_number, license_type, state }) => ({
    license_number,
    license_type,
    state,
  }));
  if (JSON.stringify(licenses) !== JSON.stringify(before)) patch.licenses = licenses;
  return patch;
}

export function Settings({ orgId }: { orgId: string }) {
  const role = useRole(orgId);
  // Here, not in the form: a save reloads the organization, and the form starts afresh.
  const [saved, setSaved] = useState(false);
  const load = useLoad(
    () => call(api.GET('/organizations/{org_id}', { params: { path: { org_id: orgId } } })),
    [orgId],
  );
  return (
    <section>
      <h1>Settings</h1>
      <Loaded load={load}>
        {(result) => (
          <ProfileForm
            key={result.etag}
            org={result.data as Organization}
            etag={result.etag}
            role={(result.data as Organization).role ?? role}
            reload={load.reload}
            saved={saved}
            setSaved={setSaved}
          />
        )}
      </Loaded>
    </section>
  );
}

function ProfileForm({
  org,
  etag,
  role,
  reload,
  saved,
  setSaved,
}: {
  org: Organization;
  etag: string | null;
  role: Role | null;
  reload: () => void;
  saved: boolean;
  setSaved: (saved: boolean) => void;
}) {
  const { organizations } = useSession();
  const [form, setForm] = useState(() => formOf(org));
  const [conflict, setConflict] = useState(false);
  const action = useAction();
  const editable = can.edit(role) && !org.archived;
  const secrets = useLoad(
    async () =>
      can.manage(role)
        ? (
            await call(
              api.GET('/organizations/{org_id}/secrets', {
                params: { path: { org_id: org.organization_id } },
              }),
            )
          ).data
        : ([] as SecretRef[]),
    [org.organization_id, role],
  );
  const set =
    <K extends keyof Form>(key: K) =>
    (value: Form[K]) => {
      setSaved(false);
      setForm((old) => ({ ...old, [key]: value }));
    };
  const setLicense = (index: number, patch: Partial<LicenseForm>) =>
    set('licenses')(
      form.licenses.map((license, i) => (i === index ? { ...license, ...patch } : license)),
    );

  const save = (overwrite: boolean) =>
    action.run(async () => {
      try {
        await call(
          api.PATCH('/organizations/{org_id}', {
            params: {
              path: { org_id: org.organization_id },
              header: overwrite || !etag ? undefined : { 'If-Match': etag },
            },
            body: changes(form, org) as never,
          }),
        );
      } catch (error) {
        if (error instanceof ApiError && error.status === 412) {
          setConflict(true);
          return;
        }
        throw error;
      }
      setConflict(false);
      setSaved(true);
      organizations.reload();
      reload();
    });

  return (
    <>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void save(false);
        }}
      >
        <fieldset disabled={!editable}>
          <legend>Profile</legend>
          <div class="grid">
            {TEXT_FIELDS.map(([key, label]) => (
              <TextField key={key} label={label} value={form[key]} onInput={set(key)} />
            ))}
            <SelectField label="Type" value={form.type} options={TYPES} onChange={set('type')} />
          </div>
          <label class="check">
            <input
              type="checkbox"
              checked={form.public}
              onChange={(e) => set('public')(e.currentTarget.checked)}
            />
            Public (listed in the directory)
          </label>
        </fieldset>
        <fieldset disabled={!editable}>
          <legend>Licenses</legend>
          {form.licenses.map((license, index) => {
            const secret = secrets.value?.find((ref) => ref.name === license.secret);
            return (
              <div class="grid license" key={index}>
                <TextField
                  label="License number"
                  value={license.license_number}
                  onInput={(v) => setLicense(index, { license_number: v })}
                />
                <TextField
                  label="License type"
                  value={license.license_type}
                  onInput={(v) => setLicense(index, { license_type: v })}
                />
                <TextField
                  label="License state"
                  value={license.state}
                  onInput={(v) => setLicense(index, { state: v })}
                />
                {can.manage(role) && (
                  <TextField
                    label="Metrc API key"
                    type="password"
                    value={license.key}
                    autoComplete="off"
                    onInput={(v) => setLicense(index, { key: v })}
                    hint={
                      license.secret
                        ? `Stored${secret?.last4 ? ` (ends in ${secret.last4})` : ''}; type a new key to replace it.`
                        : 'Write-only: never shown again.'
                    }
                  />
                )}
                {editable && (
                  <button
                    type="button"
                    onClick={() => set('licenses')(form.licenses.filter((_, i) => i !== index))}
                  >
                    Remove license
                  </button>
                )}
              </div>
            );
          })}
          {editable && (
            <button
              type="button"
              onClick={() =>
                set('licenses')([
                  ...form.licenses,
                  { license_number: '', license_type: '', state: '', secret: null, key: '' },
                ])
              }
            >
              Add license
            </button>
          )}
        </fieldset>
        {editable && (
          <div class="actions">
            <button type="submit" disabled={action.busy}>
              Save
            </button>
          </div>
        )}
        {org.archived && (
          <p role="status">This organization is archived: it is read-only until restored.</p>
        )}
        <Progress loading={action.busy} label="Saving…" />
        <ErrorMessage error={action.error} />
        {saved && <p role="status">Saved.</p>}
        {conflict && (
          <div class="conflict" role="alert">
            <p>Someone else changed this organization since you opened it.</p>
            <button type="button" onClick={reload}>
              Reload
            </button>
            <button type="button" onClick={() => save(true)}>
              Overwrite
            </button>
          </div>
        )}
      </form>
      {can.own(role) && <Lifecycle org={org} reload={reload} />}
    </>
  );
}

function Lifecycle({ org, reload }: { org: Organization; reload: () => void }) {
  const { organizations, go } = useSession();
  const [typed, setTyped] = useState('');
  const action = useAction();
  const path = { org_id: org.organization_id };
  const done = () => {
    organizations.reload();
    reload();
  };
  return (
    <section class="danger">
      <h2>Archive or purge</h2>
      {!org.archived ? (
        <>
          <p>
            Archiving hides the organization from lists and makes it read-only; it can be restored.
          </p>
          <button
            type="button"
            disabled={action.busy}
            onClick={() =>
              action.run(
                async () => (
                  await call(api.DELETE('/organizations/{org_id}', { params: { path } })),
                  done()
                ),
              )
            }
          >
            Archive
          </button>
        </>
      ) : (
        <>
          <p>Archived {date(org.archived_at)}.</p>
          <button
            type="button"
            disabled={action.busy}
            onClick={() =>
              action.run(
                async () => (
                  await call(api.POST('/organizations/{org_id}/restore', { params: { path } })),
                  done()
                ),
              )
            }
          >
            Restore
          </button>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void action.run(async () => {
                await call(
                  api.DELETE('/organizations/{org_id}', {
                    params: { path, query: { purge: 'true' } },
                  }),
                );
                organizations.reload();
                go('#/orgs');
              });
            }}
          >
            <TextField
              label={`Type ${org.organization_id} to purge it for good`}
              value={typed}
              onInput={setTyped}
            />
            <button type="submit" disabled={typed !== org.organization_id || action.busy}>
              Purge
            </button>
          </form>
        </>
      )}
      <Progress loading={action.busy} label="Working…" />
      <ErrorMessage error={action.error} />
    </section>
  );
}

export function DataModels({ orgId }: { orgId: string }) {
  const load = useLoad(
    async () =>
      (
        await call(
          api.GET('/organizations/{org_id}/data_models', { params: { path: { org_id: orgId } } }),
        )
      ).data as DataModel[],
    [orgId],
  );
  return (
    <section>
      <h1>Data models</h1>
      <Loaded load={load}>
        {(models) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Label</th>
                <th scope="col">Fields</th>
              </tr>
            </thead>
            <tbody>
              {models.map((model) => (
                <tr key={model.key}>
                  <td>{model.key}</td>
                  <td>{typeof model.label === 'string' ? model.label : ''}</td>
                  <td>{Array.isArray(model.fields) ? model.fields.length : 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
    </section>
  );
}
