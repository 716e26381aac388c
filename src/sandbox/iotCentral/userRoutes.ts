import type { JsonStateStore, Route } from '../common';
import type { IotCentralState } from './iotCentralState';
import { notFound } from './iotCentralErrors';
import { pageOf } from './paging';

/** Small enough that a seeded app of ~70 users spans three pages. */
export const USER_PAGE_SIZE = 25;

/**
 * `/api/users`: list (paged by `nextLink`; the API has no filter, so callers match client side),
 * get and delete. Users are served exactly as stored: `id`, `type`, the type's own fields
 * (`email`, or `objectId` and `tenantId`) and `roles`.
 */
export function userRoutes(store: JsonStateStore<IotCentralState>): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/api/users',
      handler: (request) => ({ status: 200, body: pageOf(request, store.current.users, USER_PAGE_SIZE) }),
    },
    {
      method: 'GET',
      pattern: '/api/users/{userId}',
      handler: ({ params }) => {
        const user = store.current.users.find((candidate) => candidate.id === params.userId);
        if (!user) throw notFound('user', params.userId);
        return { status: 200, body: user };
      },
    },
    {
      method: 'DELETE',
      pattern: '/api/users/{userId}',
      handler: async ({ params }) => {
        // Alert rules keep the address: deleting a user never touches them (hence the manual step).
        await store.update((state) => {
          const index = state.users.findIndex((candidate) => candidate.id === params.userId);
          if (index < 0) throw notFound('user', params.userId);
          state.users.splice(index, 1);
        });
        return { status: 204 };
      },
    },
  ];
}
