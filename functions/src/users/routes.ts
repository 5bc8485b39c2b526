import { route, type Route } from '../http/route';
import { profileBody, userProfile } from './schemas';
import type { UserService } from './service';

/** `GET`/`PATCH /users/me`. */
export function userRoutes(service: UserService): Route[] {
  return [
    route({
      operationId: 'getMyProfile',
      method: 'get',
      path: '/users/me',
      tag: 'Users',
      summary: 'Your profile',
      auth: 'required',
      data: userProfile,
      errors: ['not-found'],
      handler: async ({ caller }) => ({ data: await service.me(caller) }),
    }),
    route({
      operationId: 'updateMyProfile',
      method: 'patch',
      path: '/users/me',
      tag: 'Users',
      summary: 'Change your profile',
      description: 'Your team entries in every organization show the new profile.',
      auth: 'required',
      body: profileBody,
      data: userProfile,
      errors: ['not-found'],
      handler: async ({ caller, body }) => ({ data: await service.update(caller, body) }),
    }),
  ];
}
