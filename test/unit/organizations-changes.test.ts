import { ApiError } from '../../functions/src/errors';
import { updateBody } from '../../functions/src/organizations/schemas';
import { changesOf } from '../../functions/src/organizations/update';

// A body posted back as it was read: its read-only fields are checked or dropped, never written.
describe('changesOf', () => {
  const read = {
    organization_id: 'test-company',
    uid: 'test-company',
    name: 'Test Company',
    owner: 'olive',
    team: ['olive'],
    licenses: [
      { license_number: 'L-1', license_type: '', state: 'OK', user_api_key_secret: 'license-l-1' },
    ],
    role: 'owner',
    archived: false,
    created_at: '2021-05-07T16:55:22.108Z',
    updated_at: '2021-07-05T16:45:41.379Z',
    archived_at: null,
  };

  it('keeps the editable fields and drops the read-only ones', () => {
    expect(changesOf('test-company', updateBody.parse(read))).toEqual({
      name: 'Test Company',
      owner: 'olive',
      team: ['olive'],
      licenses: [
        {
          license_number: 'L-1',
          license_type: '',
          state: 'OK',
          user_api_key_secret: 'license-l-1',
        },
      ],
    });
  });

  it.each(['organization_id', 'uid'])('refuses a %s naming another organization', (field) => {
    const body = updateBody.parse({ ...read, [field]: 'other-lab' });
    let error: unknown;
    try {
      changesOf('test-company', body);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 'invalid-argument',
      message: `${field} is "test-company": the body names another organization.`,
      details: [{ path: field, message: 'Must be "test-company" or left out.' }],
    });
  });

  it('refuses a read-only field that could not have been read', () => {
    const parsed = updateBody.safeParse({ ...read, created_at: 'yesterday', role: 'boss' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual([
      'created_at',
      'role',
    ]);
  });
});
