// Cannlytics clients work unchanged: the Python examples of the Cannlytics docs page, run as
// written with `requests` against the app on a loopback port (test/cannlytics/examples.py), and
// what the Cannlytics console does with the answers.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { app, as, createOrganization, ISO } from '../helpers/api';
import { createUser, describeEmulators, wipe, type TestUser } from '../helpers/emulators';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pythonWithRequirements } = require('../../tools/python') as {
  pythonWithRequirements: () => string;
};

const run = promisify(execFile);

interface Answer {
  status: number;
  body: Record<string, unknown> & { data?: Record<string, unknown> };
}

describeEmulators('Cannlytics clients, unchanged', () => {
  let server: Server;
  let owner: TestUser;
  let results: Record<string, Answer> & {
    missing: { status: number; success: boolean; message: string };
  };
  let read: Record<string, unknown>;
  let team: unknown;

  beforeAll(async () => {
    await wipe();
    owner = await createUser({ name: 'Keegan' });
    await createOrganization(owner, {
      name: 'Test Company',
      trade_name: 'Cannlytics',
      email: 'contact@cannlytics.com',
      website: 'https://cannlytics.com',
      public: 'false',
    });
    const key = await as(owner).post('/api/auth/keys', { name: 'Cannlytics docs' }).expect(201);
    read = (await as(owner).get('/api/organizations/test-company').expect(200)).body.data;
    team = (await as(owner).get('/api/organizations/test-company/team').expect(200)).body;

    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const folder = mkdtempSync(join(tmpdir(), 'cannlytics-'));
    try {
      writeFileSync(join(folder, '.env'), `CANNLYTICS_API_KEY=${key.body.data.key}\n`);
      const { stdout } = await run(
        pythonWithRequirements(),
        [join(__dirname, '..', 'cannlytics', 'examples.py')],
        {
          cwd: folder,
          env: { ...process.env, BASE: `http://127.0.0.1:${port}/api`, ORG_ID: 'test-company' },
        },
      );
      results = JSON.parse(stdout.trim().split('\n').pop()!);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 120_000);

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('GET /api/organizations lists the organization in `data`', () => {
    expect(results.list.status).toBe(200);
    expect(results.list.body).toEqual({ success: true, data: [read], next_cursor: null });
  });

  it('GET /api/organizations/{org_id} answers it in the `data` envelope', () => {
    expect(results.get).toEqual({ status: 200, body: { success: true, data: read } });
  });

  it('GET /api/organizations/{org_id}/team lists the members with the documented fields', () => {
    expect(results.team).toEqual({ status: 200, body: team });
    expect(results.team.body.data).toEqual([
      expect.objectContaining({
        uid: owner.uid,
        name: 'Keegan',
        email: owner.email,
        photo_url: expect.any(String),
        position: '',
        type: expect.any(String),
        phone_number: '',
        license: '',
        role: 'owner',
      }),
    ]);
  });

  it('a failure reads as success false with a top-level message', () => {
    expect(results.missing).toEqual({
      status: 404,
      success: false,
      message: 'No organization no-such-org.',
    });
  });

  it('posting the whole organization back, one field changed, is a 200 that changes that field', () => {
    expect(results.post_back).toEqual({
      status: 200,
      body: {
        success: true,
        data: { ...read, phone: '(555) 010-4242', updated_at: expect.stringMatching(ISO) },
      },
    });
    expect(results.post_back_create_route).toEqual({
      status: 200,
      body: {
        success: true,
        data: {
          ...read,
          phone: '(555) 010-4242',
          city: 'Oakland',
          updated_at: expect.stringMatching(ISO),
        },
      },
    });
  });

  it('DELETE answers a JSON body: the archived organization', () => {
    expect(results.archive.status).toBe(200);
    expect(results.archive.body).toEqual({
      success: true,
      data: {
        ...read,
        phone: '(555) 010-4242',
        city: 'Oakland',
        archived: true,
        archived_at: expect.stringMatching(ISO),
        updated_at: expect.stringMatching(ISO),
      },
    });
  });
});
