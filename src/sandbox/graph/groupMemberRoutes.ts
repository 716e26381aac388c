import type { JsonStateStore, Route } from '../common';
import { findGroup, findUserIndex, type GraphState } from './graphState';
import { badRequest, resourceNotFound } from './graphErrors';

/** `@odata.id` of a member to add: a directory object URL ending in its id, as Graph documents. */
const MEMBER_REFERENCE = /\/(?:directoryObjects|users)\/([^/]+)$/;

/**
 * Changing a group's members by reference, as Graph v1.0 documents it: `POST
 * /groups/{id}/members/$ref` with `{ "@odata.id": ".../directoryObjects/{id}" }` and `DELETE
 * /groups/{id}/members/{memberId}/$ref`, each answering 204 with no body.
 */
export function groupMemberRoutes(store: JsonStateStore<GraphState>): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/v1.0/groups/{id}/members/$ref',
      handler: async ({ params, body }) => {
        const reference = (body as { '@odata.id'?: unknown } | undefined)?.['@odata.id'];
        const memberId = typeof reference === 'string' ? MEMBER_REFERENCE.exec(reference)?.[1] : undefined;
        if (!memberId) throw badRequest("The request body needs '@odata.id', the URL of the directory object to add.");
        await store.update((state) => {
          const group = findGroup(state.groups, params.id);
          if (!group) throw resourceNotFound(params.id);
          const user = state.users[findUserIndex(state.users, memberId)];
          if (!user) throw resourceNotFound(memberId);
          if (group.memberIds.includes(user.id)) {
            throw badRequest("One or more added object references already exist for the following modified properties: 'members'.");
          }
          group.memberIds.push(user.id);
        });
        return { status: 204 };
      },
    },
    {
      method: 'DELETE',
      pattern: '/v1.0/groups/{id}/members/{memberId}/$ref',
      handler: async ({ params }) => {
        await store.update((state) => {
          const group = findGroup(state.groups, params.id);
          if (!group) throw resourceNotFound(params.id);
          const index = group.memberIds.findIndex((id) => id.toLowerCase() === params.memberId.toLowerCase());
          if (index < 0) throw resourceNotFound(params.memberId);
          group.memberIds.splice(index, 1);
        });
        return { status: 204 };
      },
    },
  ];
}
