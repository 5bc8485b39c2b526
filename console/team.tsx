// The team: members (paged, sortable) with their role, invite by email (several at once), change a
// role, remove, leave, transfer ownership; the organization's invitations (resend, revoke); and my
// own invitations inbox (accept, decline).
import { useState } from 'preact/hooks';
import { api, call, type Invitation, type Member, type Role } from './api';
import { can, useRole, useSession } from './app';
import { date, ErrorMessage, Field, Pager, Progress, SelectField, useAction, usePages } from './ui';

type Order = 'name' | 'email' | 'role' | 'joined_at';
const GRANTABLE = ['admin', 'member', 'viewer'] as const;

export function Team({ orgId }: { orgId: string }) {
  const { user, organizations, go } = useSession();
  const role = useRole(orgId);
  const [orderBy, setOrderBy] = useState<Order>('name');
  const [order, setOrder] = useState<'asc' | 'desc'>('asc');
  const [round, setRound] = useState(0);
  const path = { org_id: orgId };
  const members = usePages(
    (cursor) =>
      call(
        api.GET('/organizations/{org_id}/team', {
          params: { path, query: { limit: 25, cursor, order_by: orderBy, order } },
        }),
      ) as Promise<{ data: Member[]; next: string | null; etag: string | null }>,
    [orgId, orderBy, order, round],
  );
  const action = useAction();
  const [transferTo, setTransferTo] = useState<Member | null>(null);
  const refresh = () => {
    setRound((n) => n + 1);
    organizations.reload();
  };
  const sortBy = (key: Order) => {
    if (key === orderBy) setOrder(order === 'asc' ? 'desc' : 'asc');
    else {
      setOrderBy(key);
      setOrder('asc');
    }
  };
  const header = (key: Order, label: string) => (
    <th
      scope="col"
      aria-sort={orderBy === key ? (order === 'asc' ? 'ascending' : 'descending') : 'none'}
    >
      <button type="button" class="link" onClick={() => sortBy(key)}>
        {label}
        {orderBy === key ? (order === 'asc' ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  );
  const manage = can.manage(role);
  return (
    <section>
      <h1>Team</h1>
      {manage && <InviteForm orgId={orgId} role={role} onDone={refresh} />}
      <Progress loading={members.loading} />
      <ErrorMessage error={members.error ?? action.error} />
      <div class="scroll">
        <table>
          <thead>
            <tr>
              {header('name', 'Name')}
              {header('email', 'Email')}
              {header('role', 'Role')}
              {header('joined_at', 'Joined')}
              <th scope="col">Position</th>
              <th scope="col">Phone</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {members.items.map((member) => {
              const self = member.uid === user.uid;
              const editable =
                manage &&
                member.role !== 'owner' &&
                !self &&
                (role === 'owner' || member.role !== 'admin');
              return (
                <tr key={member.uid}>
                  <td>
                    {member.photo_url && (
                      <img class="avatar" src={member.photo_url} alt="" width={24} height={24} />
                    )}
                    {member.name || '—'}
                  </td>
                  <td>{member.email}</td>
                  <td>
                    {editable ? (
                      <select
                        aria-label={`Role of ${member.email || member.uid}`}
                        value={member.role}
                        disabled={action.busy}
                        onChange={(event) => {
                          const next = event.currentTarget.value as (typeof GRANTABLE)[number];
                          void action.run(async () => {
                            await call(
                              api.PATCH('/organizations/{org_id}/team/{uid}', {
                                params: { path: { ...path, uid: member.uid } },
                                body: { role: next },
                              }),
                            );
                            refresh();
                          });
                        }}
                      >
                        {(role === 'owner'
                          ? GRANTABLE
                          : GRANTABLE.filter((r) => r !== 'admin')
                        ).map((r) => (
                          <option key={r} value={r}>
                            {r}
                          </option>
                        ))}
                      </select>
                    ) : (
                      member.role
                    )}
                  </td>
                  <td>{date(member.joined_at)}</td>
                  <td>{member.position}</td>
                  <td>{member.phone_number}</td>
                  <td class="row-actions">
                    {(editable || (self && member.role !== 'owner')) && (
                      <button
                        type="button"
                        disabled={action.busy}
                        onClick={() =>
                          action.run(async () => {
                            if (self) {
                              await call(
                                api.POST('/organizations/{org_id}/leave', { params: { path } }),
                              );
                              organizations.reload();
                              go('#/orgs');
                              return;
                            }
                            await call(
                              api.DELETE('/organizations/{org_id}/team/{uid}', {
                                params: { path: { ...path, uid: member.uid } },
                              }),
                            );
                            refresh();
                          })
                        }
                      >
                        {self ? 'Leave' : `Remove ${member.email || member.uid}`}
                      </button>
                    )}
                    {role === 'owner' && !self && (
                      <button type="button" onClick={() => setTransferTo(member)}>
                        Transfer ownership
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <Pager pages={members} />
      {transferTo && (
        <div class="confirm" role="alertdialog" aria-label="Confirm the transfer">
          <p>
            Make <strong>{transferTo.email || transferTo.uid}</strong> the owner of {orgId}? You
            will become an admin.
          </p>
          <button
            type="button"
            disabled={action.busy}
            onClick={() =>
              action.run(async () => {
                await call(
                  api.POST('/organizations/{org_id}/transfer', {
                    params: { path },
                    body: { uid: transferTo.uid },
                  }),
                );
                setTransferTo(null);
                refresh();
              })
            }
          >
            Confirm transfer
          </button>
          <button type="button" onClick={() => setTransferTo(null)}>
            Cancel
          </button>
        </div>
      )}
      {manage && <OrgInvitations orgId={orgId} round={round} />}
    </section>
  );
}

function InviteForm({
  orgId,
  role,
  onDone,
}: {
  orgId: string;
  role: Role | null;
  onDone: () => void;
}) {
  const [emails, setEmails] = useState('');
  const [inviteRole, setInviteRole] = useState<(typeof GRANTABLE)[number]>('member');
  const [notice, setNotice] = useState('');
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    setNotice('');
    const list = emails.split(/[\s,;]+/).filter(Boolean);
    void action.run(async () => {
      const { data } = await call(
        api.POST('/organizations/{org_id}/team', {
          params: { path: { org_id: orgId } },
          body: {
            members: list.map((entry) =>
              entry.includes('@')
                ? { email: entry, role: inviteRole }
                : { uid: entry, role: inviteRole },
            ),
          } as never,
        }),
      );
      const additions = (Array.isArray(data) ? data : [data]) as {
        uid: string | null;
        email: string | null;
        status: string;
      }[];
      setNotice(
        additions
          .map((one) => `${one.email ?? one.uid}: ${one.status.replace('_', ' ')}`)
          .join('; '),
      );
      setEmails('');
      onDone();
    });
  };
  return (
    <form class="inline" onSubmit={submit}>
      <Field
        label="Email"
        hint="One address (or user id), or several separated by spaces, commas or new lines."
      >
        {(id) => (
          <textarea
            id={id}
            rows={1}
            value={emails}
            required
            onInput={(e) => setEmails(e.currentTarget.value)}
          />
        )}
      </Field>
      <SelectField
        label="Role"
        value={inviteRole}
        options={role === 'owner' ? GRANTABLE : GRANTABLE.filter((r) => r !== 'admin')}
        onChange={(value) => setInviteRole(value as (typeof GRANTABLE)[number])}
      />
      <button type="submit" disabled={action.busy}>
        Invite
      </button>
      <Progress loading={action.busy} label="Inviting…" />
      <ErrorMessage error={action.error} />
      {notice && <p role="status">{notice}</p>}
    </form>
  );
}

function OrgInvitations({ orgId, round }: { orgId: string; round: number }) {
  const [mine, setMine] = useState(0);
  const path = { org_id: orgId };
  const pages = usePages(
    (cursor) =>
      call(
        api.GET('/organizations/{org_id}/invitations', {
          params: { path, query: { limit: 25, cursor } },
        }),
      ) as Promise<{
        data: Invitation[];
        next: string | null;
        etag: string | null;
      }>,
    [orgId, round, mine],
  );
  const action = useAction();
  const act = (run: () => Promise<unknown>) =>
    action.run(async () => (await run(), setMine((n) => n + 1)));
  return (
    <section aria-labelledby="sent-invitations">
      <h2 id="sent-invitations">Sent invitations</h2>
      <Progress loading={pages.loading} />
      <ErrorMessage error={pages.error ?? action.error} />
      {pages.items.length === 0 && !pages.loading && <p>No invitations.</p>}
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Expires</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {pages.items.map((invitation) => (
              <tr key={invitation.id}>
                <td>{invitation.email ?? invitation.uid}</td>
                <td>{invitation.role}</td>
                <td>{invitation.status}</td>
                <td>{date(invitation.expires_at)}</td>
                <td class="row-actions">
                  {invitation.status === 'pending' && (
                    <>
                      <button
                        type="button"
                        disabled={action.busy}
                        onClick={() =>
                          act(() =>
                            call(
                              api.POST(
                                '/organizations/{org_id}/invitations/{invitation_id}/resend',
                                {
                                  params: { path: { ...path, invitation_id: invitation.id } },
                                },
                              ),
                            ),
                          )
                        }
                      >
                        Resend
                      </button>
                      <button
                        type="button"
                        disabled={action.busy}
                        onClick={() =>
                          act(() =>
                            call(
                              api.DELETE('/organizations/{org_id}/invitations/{invitation_id}', {
                                params: { path: { ...path, invitation_id: invitation.id } },
                              }),
                            ),
                          )
                        }
                      >
                        Revoke
                      </button>
                    </>
                  )}
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

export function Inbox() {
  const { organizations, go } = useSession();
  const [round, setRound] = useState(0);
  const pages = usePages(
    (cursor) =>
      call(api.GET('/invitations', { params: { query: { limit: 25, cursor } } })) as Promise<{
        data: Invitation[];
        next: string | null;
        etag: string | null;
      }>,
    [round],
  );
  const action = useAction();
  return (
    <section>
      <h1>Invitations</h1>
      <Progress loading={pages.loading} />
      <ErrorMessage error={pages.error ?? action.error} />
      {pages.items.length === 0 && !pages.loading && <p>No pending invitations.</p>}
      <ul class="cards">
        {pages.items.map((invitation) => {
          const path = { invitation_id: invitation.id };
          return (
            <li key={invitation.id}>
              <strong>{invitation.organization_name}</strong> invites you as{' '}
              <strong>{invitation.role}</strong>{' '}
              <span class="muted">(expires {date(invitation.expires_at)})</span>
              <div class="actions">
                <button
                  type="button"
                  disabled={action.busy}
                  onClick={() =>
                    action.run(async () => {
                      await call(
                        api.POST('/invitations/{invitation_id}/accept', { params: { path } }),
                      );
                      organizations.reload();
                      go(`#/o/${encodeURIComponent(invitation.organization_id)}/overview`);
                    })
                  }
                >
                  Accept
                </button>
                <button
                  type="button"
                  disabled={action.busy}
                  onClick={() =>
                    action.run(async () => {
                      await call(
                        api.POST('/invitations/{invitation_id}/decline', { params: { path } }),
                      );
                      setRound((n) => n + 1);
                    })
                  }
                >
                  Decline
                </button>
              </div>
            </li>
          );
        })}
      </ul>
      <Pager pages={pages} />
    </section>
  );
}
