// The operations files that cannot run here: the GitHub workflows (.github/workflows/) and the
// runbook (docs/OPERATIONS.md). No trustworthy actionlint is packaged for Debian or npm, so the
// workflows' structure is checked here with the `yaml` parser: triggers, jobs, the steps each job
// needs, pinned actions, known expression contexts. Every `firebase …` command in the runbook and
// the deploy workflow is checked against firebase-tools' own command table (the command exists
// and takes each flag given).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  if?: string;
}
interface Job {
  name?: string;
  'runs-on': string;
  needs?: string | string[];
  steps: Step[];
  strategy?: { matrix?: Record<string, unknown> };
  environment?: string;
  'timeout-minutes'?: number;
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

function workflow(file: string): Workflow {
  // Strict: duplicate keys and YAML errors throw.
  return parse(read(`.github/workflows/${file}`), { strict: true, uniqueKeys: true }) as Workflow;
}

const CONTEXTS = /^(github|env|vars|secrets|matrix|runner|steps|needs|job|inputs|strategy)\b/;
const FUNCTIONS = /^(hashFiles|always|success|failure|cancelled|contains|format|toJSON)\(/;

/** Generic checks of any workflow: what actionlint would refuse first. */
function checkWorkflow(wf: Workflow) {
  expect(typeof wf.name).toBe('string');
  expect(Object.keys(wf.jobs).length).toBeGreaterThan(0);
  expect(wf.permissions).toEqual({ contents: 'read' });
  for (const [id, job] of Object.entries(wf.jobs)) {
    expect(id).toMatch(/^[a-z][a-z0-9_-]*$/);
    expect(job['runs-on']).toBe('ubuntu-latest');
    expect(job['timeout-minutes']).toEqual(expect.any(Number));
    for (const need of [job.needs ?? []].flat()) expect(Object.keys(wf.jobs)).toContain(need);
    expect(job.steps.length).toBeGreaterThan(0);
    for (const step of job.steps) {
      // Exactly one of `uses` and `run`.
      expect([step.uses, step.run].filter((part) => part !== undefined)).toHaveLength(1);
      if (step.uses) expect(step.uses).toMatch(/^actions\/[a-z-]+@v\d+$/);
      if (step.run) expect(typeof step.run).toBe('string');
    }
  }
  const text = JSON.stringify(wf);
  for (const [, expression] of text.matchAll(/\$\{\{\s*(.*?)\s*\}\}/g)) {
    expect(CONTEXTS.test(expression) || FUNCTIONS.test(expression)).toBe(true);
  }
  // A secret only ever reaches a step through `env`, never pasted into a command line.
  for (const job of Object.values(wf.jobs)) {
    for (const step of job.steps) expect(step.run ?? '').not.toMatch(/\$\{\{\s*secrets\./);
  }
}

/** The steps that install Node, Java 21 with the emulator jar cache, and run `.ci/run`. */
function checkTestJob(job: Job, node: string) {
  const uses = job.steps.map((step) => step.uses).filter(Boolean);
  expect(uses).toEqual([
    'actions/checkout@v4',
    'actions/setup-node@v4',
    'actions/setup-java@v4',
    'actions/cache@v4',
  ]);
  const by = (action: string) => job.steps.find((step) => step.uses === action)!;
  expect(by('actions/setup-node@v4').with).toEqual({ 'node-version': node, cache: 'npm' });
  expect(by('actions/setup-java@v4').with).toEqual({
    distribution: 'temurin',
    'java-version': '21',
  });
  expect(by('actions/cache@v4').with).toMatchObject({ path: '~/.cache/firebase/emulators' });
  expect(job.steps.at(-1)!.run).toBe('bash .ci/run');
}

describe('the CI workflow', () => {
  const ci = workflow('ci.yml');

  it('is a valid workflow', () => checkWorkflow(ci));

  it('runs `bash .ci/run` on push and pull request, on Node 20 and 22, with Java 21', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    expect(Object.keys(ci.jobs)).toEqual(['test']);
    expect(ci.jobs.test.strategy?.matrix).toEqual({ node: ['20', '22'] });
    checkTestJob(ci.jobs.test, '${{ matrix.node }}');
  });

  it('.ci/run is the README’s clean install and test', () => {
    expect(read('.ci/run')).toMatch(/\nnpm install --no-audit --no-fund\nnpm test\n$/);
  });
});

describe('the deploy workflow', () => {
  const deploy = workflow('deploy.yml');

  it('is a valid workflow', () => checkWorkflow(deploy));

  it('runs by hand or on a version tag, the tests first, then deploys functions, Firestore and Hosting', () => {
    expect(deploy.on).toEqual({ workflow_dispatch: null, push: { tags: ['v*'] } });
    expect(Object.keys(deploy.jobs)).toEqual(['test', 'deploy']);
    checkTestJob(deploy.jobs.test, '22');
    expect(deploy.jobs.deploy.needs).toBe('test');
    expect(deploy.jobs.deploy.environment).toBe('production');
    const runs = deploy.jobs.deploy.steps.map((step) => step.run ?? '');
    expect(runs).toContain(
      'npx firebase deploy --only functions,firestore,hosting --project "$PROJECT_ID" --non-interactive --force',
    );
    const credentials = deploy.jobs.deploy.steps.find((step) =>
      step.run?.includes('GOOGLE_APPLICATION_CREDENTIALS'),
    )!;
    expect(credentials.env).toEqual({ SERVICE_ACCOUNT: '${{ secrets.FIREBASE_SERVICE_ACCOUNT }}' });
  });
});

// firebase-tools' commands, loaded once: each with its options (commander).
interface CommandLike {
  name(): string;
  options: { long?: string; short?: string }[];
}
let commands: Map<string, CommandLike> | undefined;
let globalOptions: string[] = [];
function firebaseCommands() {
  if (!commands) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const client = require('firebase-tools') as {
      cli: { commands: CommandLike[]; options: { long?: string; short?: string }[] };
    };
    commands = new Map(client.cli.commands.map((command) => [command.name(), command]));
    globalOptions = client.cli.options.flatMap((option) => [option.long, option.short]) as string[];
  }
  return commands;
}

/** Why a `firebase …` command line is not one firebase-tools accepts, or null. */
function firebaseProblem(line: string): string | null {
  const words = line.replace(/^(npx )?firebase /, '').split(/\s+/);
  const command = firebaseCommands().get(words[0]);
  if (!command) return `no command ${words[0]}`;
  const known = new Set([
    ...globalOptions,
    ...command.options.flatMap((option) => [option.long, option.short]),
  ]);
  for (const word of words.slice(1)) {
    const flag = /^(--?[a-zA-Z][\w-]*)/.exec(word)?.[1];
    if (flag && !known.has(flag)) return `${words[0]} takes no ${flag}`;
  }
  return null;
}

/** Every `firebase …` line of the runbook's shell blocks. */
function runbookFirebaseLines(): string[] {
  const doc = read('docs/OPERATIONS.md');
  const blocks = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]);
  return blocks
    .flatMap((block) => block.replace(/\\\n\s*/g, ' ').split('\n'))
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => /^(npx )?firebase /.test(line));
}

describe('the runbook’s and deploy’s firebase commands', () => {
  it('are commands firebase-tools has, with flags they take', () => {
    const lines = [
      ...runbookFirebaseLines(),
      'npx firebase deploy --only functions,firestore,hosting --project "$PROJECT_ID" --non-interactive --force',
    ];
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.map((line) => [line, firebaseProblem(line)])).toEqual(
      lines.map((line) => [line, null]),
    );
    // The check can fail: an unknown command and an unknown flag are named.
    expect(firebaseProblem('firebase functions:secrets:rotate X')).toBe(
      'no command functions:secrets:rotate',
    );
    expect(firebaseProblem('firebase deploy --only functions --yes')).toBe('deploy takes no --yes');
  }, 120_000);
});
