// The OpenAPI document: valid OpenAPI 3.1, and the committed openapi.json is the one the
// declarations generate (else: npm run build).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { generatedDocument, type OpenApiDocument } from '../helpers/spec';

const document = generatedDocument();

// @seriousme/openapi-schema-validator is ESM only, which Jest's CommonJS runtime cannot load:
// it runs in a Node of its own, reading the document on stdin.
const VALIDATE = `
import { Validator } from '@seriousme/openapi-schema-validator';
let text = '';
for await (const chunk of process.stdin) text += chunk;
const validator = new Validator();
const result = await validator.validate(JSON.parse(text));
console.log(JSON.stringify({ ...result, version: validator.version }));
`;

function validate(spec: unknown): { valid: boolean; version: string; errors?: unknown } {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', VALIDATE], {
    cwd: join(__dirname, '..', '..'),
    input: JSON.stringify(spec),
    encoding: 'utf8',
  });
  return JSON.parse(out) as { valid: boolean; version: string; errors?: unknown };
}

/** Where two documents differ: operations, components, or top-level members. */
function differences(a: OpenApiDocument, b: OpenApiDocument): string[] {
  const out: string[] = [];
  const keys = (x: object | undefined, y: object | undefined) =>
    [...new Set([...Object.keys(x ?? {}), ...Object.keys(y ?? {})])].sort();
  for (const path of keys(a.paths, b.paths)) {
    for (const method of keys(a.paths[path], b.paths[path])) {
      const [x, y] = [a.paths[path]?.[method as 'get'], b.paths[path]?.[method as 'get']];
      if (!isDeepStrictEqual(x, y)) out.push(`${method.toUpperCase()} ${path}`);
    }
  }
  const schemas = (d: OpenApiDocument) => d.components?.schemas ?? {};
  for (const name of keys(schemas(a), schemas(b))) {
    if (!isDeepStrictEqual(schemas(a)[name], schemas(b)[name])) {
      out.push(`components.schemas.${name}`);
    }
  }
  const rest = (d: OpenApiDocument) => ({ ...d, paths: {}, components: { ...d.components } });
  const [x, y] = [rest(a), rest(b)];
  delete x.components.schemas;
  delete y.components.schemas;
  for (const key of keys(x, y)) {
    if (!isDeepStrictEqual(x[key as 'openapi'], y[key as 'openapi'])) out.push(key);
  }
  return out;
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', () => {
    const result = validate(document);
    expect(result.errors).toBeUndefined();
    expect(result).toEqual({ valid: true, version: '3.1' });
  });

  it('the validator refuses a broken document (it really validates)', () => {
    const broken = { ...document, paths: { '/health': { get: { responses: 'none' } } } };
    expect(validate(broken).valid).toBe(false);
  });

  it('names each operation once', () => {
    const ids = Object.values(document.paths).flatMap((operations) =>
      Object.values(operations).map((operation) => operation.operationId),
    );
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('is what openapi.json holds (else: run npm run build)', () => {
    const file = join(__dirname, '..', '..', 'openapi.json');
    const committed = JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument;
    const differ = differences(committed, document);
    if (differ.length > 0) {
      throw new Error(
        `openapi.json is not the document the route declarations generate: run npm run build. It differs at:\n  ${differ.join('\n  ')}`,
      );
    }
    expect(committed).toEqual(document);
  });
});
