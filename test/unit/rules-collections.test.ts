// firestore.rules names the lab-data collections in a literal list (the rules cannot read JSON):
// it must be exactly the standard data models' keys minus the collection names the API owns,
// and every lab-data match block must check each collection of its path against it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_COLLECTIONS } from '../../functions/src/model/collections';

const root = join(__dirname, '..', '..');
const rules = readFileSync(join(root, 'firestore.rules'), 'utf8');
const standardDataModels = JSON.parse(
  readFileSync(
    join(root, 'functions', 'src', 'organizations', 'standard-data-models.json'),
    'utf8',
  ),
) as { key: string }[];

const API_OWNED: readonly string[] = API_COLLECTIONS;

/** The names in `function isLabCollection(name) { return name in [ ... ]; }`, in order. */
function labCollectionsInRules(): string[] {
  const match = /function isLabCollection\((\w+)\) \{\s*return \1 in \[([^\]]*)\];\s*\}/.exec(
    rules,
  );
  if (!match) throw new Error('firestore.rules: no `isLabCollection(name)` returning a list');
  const items = match[2]
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return items.map((item) => {
    const literal = /^'([a-z0-9_]+)'$/.exec(item);
    if (!literal) throw new Error(`firestore.rules: isLabCollection: not a plain name: ${item}`);
    return literal[1];
  });
}

describe('the lab-data collections of firestore.rules', () => {
  const listed = labCollectionsInRules();
  const expected = standardDataModels
    .map((model) => model.key)
    .filter((key) => !API_OWNED.includes(key));

  it('are the standard data models’ keys minus the API-owned names', () => {
    expect([...listed].sort()).toEqual([...expected].sort());
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('exclude every API-owned name (`logs` is a data model and the audit log)', () => {
    expect(standardDataModels.map((model) => model.key)).toContain('logs');
    expect(listed.filter((name) => API_OWNED.includes(name))).toEqual([]);
  });
});

describe('the lab-data match blocks of firestore.rules', () => {
  // `match /organizations/{orgId}/{c1}/{d1}... { allow ...; allow ...; }`: a wildcard collection.
  const blocks = [
    ...rules.matchAll(/match \/organizations\/\{orgId\}((?:\/\{\w+\}\/\{\w+\})+) \{([^}]*)\}/g),
  ].map(([, path, body]) => ({
    collections: [...path.matchAll(/\/\{(\w+)\}\/\{\w+\}/g)].map(([, name]) => name),
    allows: body.split(/(?=allow )/).filter((statement) => statement.startsWith('allow ')),
  }));

  it('exist for depths 1, 2 and 3 only, and no recursive wildcard anywhere', () => {
    expect(blocks.map((block) => block.collections)).toEqual([
      ['c1'],
      ['c1', 'c2'],
      ['c1', 'c2', 'c3'],
    ]);
    expect(rules).not.toMatch(/=\*\*/);
  });

  it('check every collection of the path in every allow statement', () => {
    for (const { collections, allows } of blocks) {
      expect(allows).toHaveLength(2);
      for (const statement of allows) {
        for (const name of collections) expect(statement).toContain(`isLabCollection(${name})`);
      }
    }
  });
});
