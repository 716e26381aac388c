import type { JsonStateStore, Route } from '../common';
import { SandboxHttpError } from '../common';
import { findUserIndex, type GraphState } from './graphState';
import { resourceNotFound } from './graphErrors';
import { listUsers, rejectUnsupportedOptions } from './userList';
import { domainOf, parseUserPatch } from './userPatch';
import { odataContext, parseUserSelect, projectUser } from './userProjection';

const ENTITY_QUERY_OPTIONS = new Set(['$select']);

/** `/v1.0/users`: list, get, update and (soft) delete. */
export function userRoutes(store: JsonStateStore<GraphState>): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1.0/users',
      handler: (request) => {
        requirePremiumFor(parseUserSelect(request.query), store.current);
        return listUsers(request, store.current.users, { entitySet: 'users' });
      },
    },
    {
      method: 'GET',
      pattern: '/v1.0/users/{id}',
      handler: ({ params, query, baseUrl }) => {
        rejectUnsupportedOptions(query, ENTITY_QUERY_OPTIONS);
        const select = parseUserSelect(query);
        requirePremiumFor(select, store.current);
        const user = store.current.users[findUserIndex(store.current.users, params.id)];
        if (!user) throw resourceNotFound(params.id);
        return {
          status: 200,
          body: { '@odata.context': odataContext(baseUrl, 'users', select, '/$entity'), ...projectUser(user, { select }) },
        };
      },
    },
    {
      method: 'PATCH',
      pattern: '/v1.0/users/{id}',
      handler: async ({ params, body }) => {
        // The tenant's verified domains: those its member accounts sign in with.
        const verified = new Set(store.current.users.filter((user) => user.userType === 'Member').map((user) => domainOf(user.userPrincipalName)));
        const changes = parseUserPatch(body, verified);
        await store.update((state) => {
          const index = findUserIndex(state.users, params.id);
          if (index < 0) throw resourceNotFound(params.id);
          Object.assign(state.users[index], changes);
        });
        return { status: 204 };
      },
    },
    {
      method: 'DELETE',
      pattern: '/v1.0/users/{id}',
      handler: async ({ params }) => {
        await store.update((state) => {
          const index = findUserIndex(state.users, params.id);
          if (index < 0) throw resourceNotFound(params.id);
          const [user] = state.users.splice(index, 1);
          state.deletedUsers.push({ ...user, deletedDateTime: `${new Date().toISOString().slice(0, 19)}Z` });
        });
        return { status: 204 };
      },
    },
  ];
}

/** Graph reads `signInActivity` only in a tenant with an Entra ID P1/P2 licence. */
function requirePremiumFor(select: readonly string[] | undefined, state: GraphState): void {
  if (select?.includes('signInActivity') && !state.directory?.premiumLicence) {
    throw new SandboxHttpError(403, "Neither tenant is B2C or tenant doesn't have premium license", 'Authentication_RequestFromNonPremiumTenantOrB2CTenant');
  }
}
