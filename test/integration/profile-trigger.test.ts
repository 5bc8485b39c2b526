// The Auth trigger that creates `users/{uid}` profiles, run with firebase-functions-test's `wrap`
// against the real Firestore emulator.
import functionsTest from 'firebase-functions-test';
import { db } from '../../functions/src/firebase';
import { createProfile } from '../../functions/src/index';
import { describeEmulators, wipe } from '../helpers/emulators';

const test = functionsTest({ projectId: 'demo-organizations' });

describeEmulators('the createProfile Auth trigger', () => {
  beforeAll(() => wipe());
  afterAll(() => test.cleanup());

  it('creates the profile of a new account from its Auth record', async () => {
    const wrapped = test.wrap(createProfile);
    const user = test.auth.makeUserRecord({
      uid: 'trigger-user-1',
      email: 'trigger@example.com',
      displayName: 'Tri Gger',
      photoURL: 'https://example.com/photo.png',
      phoneNumber: '+15550100',
    });
    await wrapped(user);
    const profile = (await db().doc('users/trigger-user-1').get()).data()!;
    expect(profile).toEqual({
      uid: 'trigger-user-1',
      name: 'Tri Gger',
      email: 'trigger@example.com',
      photo_url: 'https://example.com/photo.png',
      position: '',
      type: '',
      phone_number: '+15550100',
      license: '',
      created_at: profile.created_at,
    });
    expect(profile.created_at.toDate().getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('keeps a profile that already exists', async () => {
    await db().doc('users/trigger-user-2').set({ uid: 'trigger-user-2', name: 'Chosen Name' });
    const wrapped = test.wrap(createProfile);
    await wrapped(test.auth.makeUserRecord({ uid: 'trigger-user-2', displayName: 'Auth Name' }));
    expect((await db().doc('users/trigger-user-2').get()).data()).toEqual({
      uid: 'trigger-user-2',
      name: 'Chosen Name',
    });
  });
});
