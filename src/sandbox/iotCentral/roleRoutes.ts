import type { JsonStateStore, Route } from '../common';
import type { IotCentralState } from './iotCentralState';
import { notFound } from './iotCentralErrors';
import { pageOf } from './paging';

const ROLE_PAGE_SIZE = 25;

/** `/api/roles`: the app's roles (built-in and custom), to list or read; read-only in the API. */
export function roleRoutes(store: JsonStateStore<IotCentralState>): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/api/roles',
      handler: (request) => ({ status: 200, body: pageOf(request, store.current.roles, ROLE_PAGE_SIZE) }),
    },
    {
      method: 'GET',
      pattern: '/api/roles/{roleId}',
      handler: ({ params }) => {
        const role = store.current.roles.find((candidate) => candidate.id === params.roleId);
        if (!role) throw notFound('role', params.roleId);
        return { status: 200, body: role };
      },
    },
  ];
}
