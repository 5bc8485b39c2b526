// Small building blocks: loading data with progress and errors, forms' busy state, paging with the
// API's cursors, and labelled fields.
import type { ComponentChildren, JSX } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, type Result } from './api';

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface Load<T> {
  value?: T;
  error?: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when `keys` change (and on `reload()`), keeping its value, error and progress. */
export function useLoad<T>(load: () => Promise<T>, keys: unknown[]): Load<T> {
  const [state, setState] = useState<{ value?: T; error?: unknown; loading: boolean }>({
    loading: true,
  });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    setState((old) => ({ ...old, loading: true }));
    load().then(
      (value) => current && setState({ value, loading: false }),
      (error: unknown) => current && setState({ error, loading: false }),
    );
    return () => {
      current = false;
    };
  }, [...keys, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { ...state, reload };
}

/** A list page by page with the API's cursors: `next()` and `previous()` move, `reset()` rewinds. */
export function usePages<T>(
  fetchPage: (cursor: string | undefined) => Promise<Result<T[]>>,
  keys: unknown[],
) {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const page = useLoad(() => fetchPage(cursor), [...keys, cursor]);
  useEffect(() => setCursors([undefined]), keys);
  return {
    ...page,
    items: page.value?.data ?? [],
    pageNumber: cursors.length,
    hasNext: !!page.value?.next,
    next: () => page.value?.next && setCursors([...cursors, page.value.next]),
    previous: () => cursors.length > 1 && setCursors(cursors.slice(0, -1)),
  };
}

export function Pager({
  pages,
}: {
  pages: { pageNumber: number; hasNext: boolean; next: () => void; previous: () => void };
}) {
  if (pages.pageNumber === 1 && !pages.hasNext) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" onClick={pages.previous} disabled={pages.pageNumber === 1}>
        Previous page
      </button>
      <span>Page {pages.pageNumber}</span>
      <button type="button" onClick={pages.next} disabled={!pages.hasNext}>
        Next page
      </button>
    </nav>
  );
}

/** The API's message, as it is, in an alert. */
export function ErrorMessage({ error }: { error?: unknown }) {
  if (!error) return null;
  const status = error instanceof ApiError && error.status ? ` (${error.status})` : '';
  return (
    <p class="error" role="alert">
      {messageOf(error)}
      {status}
    </p>
  );
}

export function Progress({ loading, label = 'Loading…' }: { loading: boolean; label?: string }) {
  return loading ? (
    <p class="progress" role="status">
      {label}
    </p>
  ) : null;
}

/** Loading, an error, or the value. */
export function Loaded<T>({
  load,
  children,
}: {
  load: Load<T>;
  children: (value: T) => ComponentChildren;
}) {
  if (load.error) return <ErrorMessage error={load.error} />;
  if (load.value === undefined) return <Progress loading />;
  return <>{children(load.value)}</>;
}

/** An action's busy state and error: `run(fn)` shows progress, then the API's message if it fails. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = useCallback((action: () => Promise<unknown>): void => {
    setBusy(true);
    setError(undefined);
    action().then(
      () => setBusy(false),
      (caught: unknown) => {
        setError(caught);
        setBusy(false);
      },
    );
  }, []);
  return { busy, error, setError, run };
}

let fieldIds = 0;

export function Field({
  label,
  children,
  hint,
}: {
  label: string;
  hint?: string;
  children: (id: string) => JSX.Element;
}) {
  const [id] = useState(() => `field-${++fieldIds}`);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children(id)}
      {hint && <small>{hint}</small>}
    </div>
  );
}

/** A text input bound to a string. */
export function TextField({
  label,
  value,
  onInput,
  type = 'text',
  disabled,
  required,
  hint,
  autoComplete,
}: {
  label: string;
  value: string;
  onInput: (value: string) => void;
  type?: 'text' | 'email' | 'password' | 'number';
  disabled?: boolean;
  required?: boolean;
  hint?: string;
  autoComplete?: string;
}) {
  return (
    <Field label={label} hint={hint}>
      {(id) => (
        <input
          id={id}
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it (Preact's typed input variants)
          type={type as 'text'}
          value={value}
          disabled={disabled}
          required={required}
          autoComplete={autoComplete}
          onInput={(event) => onInput(event.currentTarget.value)}
        />
      )}
    </Field>
  );
}

export function SelectField({
  label,
  value,
  options,
  onChange,
  disabled,
}: {
  label: string;
  value: string;
  options: readonly string[];
  onChange: (value: string) => void;
  disabled?: boolean;
}) {
  return (
    <Field label={label}>
      {(id) => (
        <select
          id={id}
          value={value}
          disabled={disabled}
          onChange={(event) => onChange(event.currentTarget.value)}
        >
          {options.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function date(value?: string | null): string {
  return value ? new Date(value).toLocaleString() : '—';
}
