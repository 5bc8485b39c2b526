import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { firestoreIndexes } from '../../functions/src/indexes';

describe('firestore.indexes.json', () => {
  it('holds exactly the indexes the code’s queries need (else: npm run indexes)', () => {
    const file = JSON.parse(
      readFileSync(join(__dirname, '..', '..', 'firestore.indexes.json'), 'utf8'),
    );
    expect(file).toEqual(firestoreIndexes);
  });

  it('has one list index per scope (team, owner, public, all), sort field and direction', () => {
    const organizations = firestoreIndexes.indexes.filter(
      (index) => index.collectionGroup === 'organizations',
    );
    expect(organizations).toHaveLength(16);
    expect(organizations[0]).toEqual({
      collectionGroup: 'organizations',
      queryScope: 'COLLECTION',
      fields: [
        { fieldPath: 'team', arrayConfig: 'CONTAINS' },
        { fieldPath: 'archived', order: 'ASCENDING' },
        { fieldPath: 'name_lower', order: 'ASCENDING' },
      ],
    });
    // A platform admin's all=true: no scope field, archived then the sort.
    expect(organizations.slice(12)).toEqual(
      ['name_lower', 'created_at'].flatMap((fieldPath) =>
        ['ASCENDING', 'DESCENDING'].map((order) => ({
          collectionGroup: 'organizations',
          queryScope: 'COLLECTION',
          fields: [
            { fieldPath: 'archived', order: 'ASCENDING' },
            { fieldPath, order },
          ],
        })),
      ),
    );
  });
});
