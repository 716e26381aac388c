import type { JsonStateStore, Route } from '../common';
import type { GraphState, GraphUser } from './graphState';
import { resourceNotFound } from './graphErrors';
import { listUsers, rejectUnsupportedOptions } from './userList';
import { DEFAULT_USER_PROPERTIES, odataContext, parseUserSelect, projectUser } from './userProjection';

const DELETED_USER_PROPERTIES = [...DEFAULT_USER_PROPERTIES, 'deletedDateTime'] as const;
const ENTITY_QUERY_OPTIONS = new Set(['$select']);

/** `/v1.0/directory/deletedItems`: soft-deleted users, to list, read, restore or delete for good. */
export function deletedItemRoutes(store: JsonStateStore<GraphState>): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1.0/directory/deletedItems/microsoft.graph.user',
      handler: (request) => listUsers(request, store.current.deletedUsers, {
        entitySet: 'directory/deletedItems/microsoft.graph.user',
        defaults: DELETED_USER_PROPERTIES,
      }),
    },
    {
      method: 'GET',
      pattern: '/v1.0/directory/deletedItems/{id}',
      handler: ({ params, query, baseUrl }) => {
        rejectUnsupportedOptions(query, ENTITY_QUERY_OPTIONS);
        const select = parseUserSelect(query);
        const user = findDeletedUser(store.current.deletedUsers, params.id);
        if (!user) throw resourceNotFound(params.id);
        return {
          status: 200,
          body: {
            '@odata.context': odataContext(baseUrl, 'directory/deletedItems', select, '/$entity'),
            ...projectUser(user, { select, defaults: DELETED_USER_PROPERTIES, odataType: true }),
          },
        };
      },
    },
    {
      method: 'DELETE',
      pattern: '/v1.0/directory/deletedItems/{id}',
      handler: async ({ params }) => {
        await store.update((state) => {
          const user = findDeletedUser(state.deletedUsers, params.id);
          if (!user) throw resourceNotFound(params.id);
          state.deletedUsers = state.deletedUsers.filter((candidate) => candidate !== user);
          for (const group of state.groups) {
            group.memberIds = group.memberIds.filter((memberId) => memberId !== user.id);
          }
        });
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      pattern: '/v1.0/directory/deletedItems/{id}/restore',
      handler: async ({ params, baseUrl }) => {
        const restored = await store.update((state) => {
          const user = findDeletedUser(state.deletedUsers, params.id);
          if (!user) throw resourceNotFound(params.id);
          state.deletedUsers = state.deletedUsers.filter((candidate) => candidate !== user);
          const active = { ...user, deletedDateTime: null };
          state.users.push(active);
          return active;
        });
        return {
          status: 200,
          body: {
            '@odata.context': odataContext(baseUrl, 'directoryObjects', undefined, '/$entity'),
            ...projectUser(restored, { select: undefined, odataType: true }),
          },
        };
      },
    },
  ];
}

// Deleted items are addressed by object id only.
function findDeletedUser(users: readonly GraphUser[], id: string): GraphUser | undefined {
  const key = id.toLowerCase();
  return users.find((user) => user.id.toLowerCase() === key);
}
