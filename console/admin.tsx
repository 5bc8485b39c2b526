// An organization's secrets (owner, admin: references only, the value's last 4 at most; set,
// replace, delete) and its audit log (owner, admin: who did what, when, with which credential).
import { useState } from 'preact/hooks';
import { api, call, type LogEntry } from './api';
import { can, useRole } from './app';
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

export function Secrets({ orgId }: { orgId: string }) {
  const role = useRole(orgId);
  const [round, setRound] = useState(0);
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const path = { org_id: orgId };
  const load = useLoad(
    async () => (await call(api.GET('/organizations/{org_id}/secrets', { params: { path } }))).data,
    [orgId, round],
  );
  const action = useAction();
  const manage = can.manage(role);
  return (
    <section>
      <h1>Secrets</h1>
      {manage && (
        <form
          class="inline"
          onSubmit={(event) => {
            event.preventDefault();
            void action.run(async () => {
              await call(
                api.PUT('/organizations/{org_id}/secrets/{name}', {
                  params: { path: { ...path, name } },
                  body: { value },
                }),
              );
              setName('');
              setValue('');
              setRound((n) => n + 1);
            });
          }}
        >
          <TextField label="Secret name" value={name} onInput={setName} required />
          <TextField
            label="Value"
            type="password"
            value={value}
            onInput={setValue}
            required
            autoComplete="off"
          />
          <button type="submit" disabled={action.busy}>
            Save
          </button>
        </form>
      )}
      <Progress loading={action.busy} label="Saving…" />
      <ErrorMessage error={action.error} />
      <Loaded load={load}>
        {(secrets) =>
          secrets.length === 0 ? (
            <p>No secrets.</p>
          ) : (
            <div class="scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Version</th>
                    <th scope="col">Last 4</th>
                    <th scope="col">Updated</th>
                    {manage && <th scope="col">Actions</th>}
                  </tr>
                </thead>
                <tbody>
                  {secrets.map((secret) => (
                    <tr key={secret.name}>
                      <td>{secret.name}</td>
                      <td>{secret.version}</td>
                      <td>
                        <code>{secret.last4 ? `…${secret.last4}` : '—'}</code>
                      </td>
                      <td>{date(secret.updated_at)}</td>
                      {manage && (
                        <td class="row-actions">
                          <button type="button" onClick={() => setName(secret.name)}>
                            Replace {secret.name}
                          </button>
                          <button
                            type="button"
                            disabled={action.busy}
                            onClick={() =>
                              action.run(async () => {
                                await call(
                                  api.DELETE('/organizations/{org_id}/secrets/{name}', {
                                    params: { path: { ...path, name: secret.name } },
                                  }),
                                );
                                setRound((n) => n + 1);
                              })
                            }
                          >
                            Delete {secret.name}
                          </button>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
    </section>
  );
}

export function AuditLog({ orgId }: { orgId: string }) {
  const pages = usePages(
    (cursor) =>
      call(
        api.GET('/organizations/{org_id}/logs', {
          params: { path: { org_id: orgId }, query: { limit: 25, cursor } },
        }),
      ) as Promise<{ data: LogEntry[]; next: string | null; etag: string | null }>,
    [orgId],
  );
  return (
    <section>
      <h1>Audit log</h1>
      <Progress loading={pages.loading} />
      <ErrorMessage error={pages.error} />
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Action</th>
              <th scope="col">Who</th>
              <th scope="col">Credential</th>
              <th scope="col">Changed</th>
            </tr>
          </thead>
          <tbody>
            {pages.items.map((entry) => (
              <tr key={entry.id}>
                <td>{date(entry.at)}</td>
                <td>{entry.action}</td>
                <td>{entry.actor_uid}</td>
                <td>
                  {entry.credential}
                  {entry.key_id ? ` (${entry.key_id})` : ''}
                </td>
                <td>{entry.changed_fields.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager pages={pages} />
    </section>
  );
}
