// The environment is read and checked once, when config.ts loads: each case loads it afresh, in
// its own module registry, under the environment it describes.
type Config = (typeof import('../../functions/src/config'))['config'];

const SETTINGS = [
  'ALLOWED_ORIGINS',
  'APP_URL',
  'FUNCTIONS_EMULATOR',
  'FUNCTIONS_CONTROL_API',
  'NODE_ENV',
] as const;
const saved = Object.fromEntries(SETTINGS.map((name) => [name, process.env[name]]));

/** Loads config.ts with exactly `env` among SETTINGS; returns its config or what it threw. */
function load(env: Partial<Record<(typeof SETTINGS)[number], string>>): Config {
  for (const name of SETTINGS) delete process.env[name];
  Object.assign(process.env, env);
  let config: Config | undefined;
  jest.isolateModules(() => {
    ({ config } = jest.requireActual<typeof import('../../functions/src/config')>(
      '../../functions/src/config',
    ));
  });
  return config!;
}

afterEach(() => {
  for (const name of SETTINGS) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

const PRODUCTION = { NODE_ENV: 'production' };
const LOCAL = {
  allowedOrigins: ['http://127.0.0.1:5000', 'http://localhost:5000'],
  appUrl: 'http://127.0.0.1:5000',
};

describe('the configuration', () => {
  it('stops a deployed function without ALLOWED_ORIGINS and APP_URL, naming both', () => {
    expect(() => load(PRODUCTION)).toThrow(
      new Error(
        "The function's configuration is incomplete: " +
          'ALLOWED_ORIGINS is not set (the origins of the console, comma-separated, e.g. https://console.example.com); ' +
          "APP_URL is not set (the console's URL, for links in invitation emails, e.g. https://console.example.com). " +
          "Settings go in functions/.env (or the deployed function's environment); only the emulators and the tests have defaults.",
      ),
    );
  });

  it('takes a blank setting for a missing one', () => {
    expect(() =>
      load({ ...PRODUCTION, ALLOWED_ORIGINS: ' ', APP_URL: 'https://console.example.com' }),
    ).toThrow(/configuration is incomplete: ALLOWED_ORIGINS is not set \(/);
  });

  it('names the one setting that is missing', () => {
    expect(() => load({ ...PRODUCTION, ALLOWED_ORIGINS: 'https://console.example.com' })).toThrow(
      /configuration is incomplete: APP_URL is not set \([^;]*\)\. Settings go/,
    );
  });

  it('parses the settings of a deployed function', () => {
    const config = load({
      ...PRODUCTION,
      ALLOWED_ORIGINS: ' https://console.example.com, https://admin.example.com:8443 ,',
      APP_URL: 'https://console.example.com/app/',
    });
    expect(config).toMatchObject({
      allowedOrigins: ['https://console.example.com', 'https://admin.example.com:8443'],
      appUrl: 'https://console.example.com/app',
      secureCookies: true,
    });
  });

  it('has the local Hosting emulator as defaults under the Functions emulator', () => {
    expect(load({ FUNCTIONS_EMULATOR: 'true' })).toMatchObject({ ...LOCAL, secureCookies: false });
  });

  it('has the same defaults under jest (NODE_ENV=test)', () => {
    expect(load({ NODE_ENV: 'test' })).toMatchObject({ ...LOCAL, secureCookies: false });
  });

  it("loads for firebase-tools' deploy-time discovery (FUNCTIONS_CONTROL_API=true)", () => {
    expect(load({ ...PRODUCTION, FUNCTIONS_CONTROL_API: 'true' })).toMatchObject(LOCAL);
  });

  it('lets the emulator use settings of its own', () => {
    const config = load({
      FUNCTIONS_EMULATOR: 'true',
      ALLOWED_ORIGINS: 'http://localhost:3000',
      APP_URL: 'http://localhost:3000',
    });
    expect(config).toMatchObject({
      allowedOrigins: ['http://localhost:3000'],
      appUrl: 'http://localhost:3000',
    });
  });

  it.each([
    [
      'https://console.example.com/app',
      '"https://console.example.com/app", which is not an origin (scheme, host and port only): write https://console.example.com',
    ],
    [
      'https://Console.example.com',
      '"https://Console.example.com", which is not an origin (scheme, host and port only): write https://console.example.com',
    ],
    [
      'console.example.com',
      '"console.example.com", which is not an http(s) origin such as https://console.example.com',
    ],
    ['null', '"null", which is not an http(s) origin such as https://console.example.com'],
    [
      'ftp://files.example.com',
      '"ftp://files.example.com", which is not an http(s) origin such as https://console.example.com',
    ],
  ])('refuses the origin %s, naming it', (bad, message) => {
    expect(() =>
      load({
        ...PRODUCTION,
        ALLOWED_ORIGINS: `https://ok.example.com,${bad}`,
        APP_URL: 'https://ok.example.com',
      }),
    ).toThrow(`configuration is incomplete: ALLOWED_ORIGINS has ${message}. Settings go`);
  });

  it('refuses a bad origin under the emulator too', () => {
    expect(() => load({ FUNCTIONS_EMULATOR: 'true', ALLOWED_ORIGINS: 'localhost:3000' })).toThrow(
      'ALLOWED_ORIGINS has "localhost:3000", which is not an http(s) origin',
    );
  });

  it('refuses a list of no origin', () => {
    expect(() =>
      load({ ...PRODUCTION, ALLOWED_ORIGINS: ',,', APP_URL: 'https://ok.example.com' }),
    ).toThrow('configuration is incomplete: ALLOWED_ORIGINS lists no origin. Settings go');
  });

  it.each(['console.example.com', 'javascript:alert(1)', 'https://console.example.com/?a=1'])(
    'refuses the APP_URL %s, naming it',
    (bad) => {
      expect(() =>
        load({ ...PRODUCTION, ALLOWED_ORIGINS: 'https://ok.example.com', APP_URL: bad }),
      ).toThrow(
        `configuration is incomplete: APP_URL is ${JSON.stringify(bad)}, which is not an http(s) URL without query or fragment, such as https://console.example.com. Settings go`,
      );
    },
  );

  it('names every problem at once', () => {
    expect(() =>
      load({ ...PRODUCTION, ALLOWED_ORIGINS: 'https://a.example.com/x', APP_URL: 'nope' }),
    ).toThrow(
      'ALLOWED_ORIGINS has "https://a.example.com/x", which is not an origin (scheme, host and port only): write https://a.example.com; APP_URL is "nope"',
    );
  });
});
