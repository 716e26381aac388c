import type { JsonStateStore, Route } from '../common';
import { findGroup, findUserIndex, type GraphState } from './graphState';
import { badRequest, resourceNotFound } from './graphErrors';
import { listUsers } from './userList';

const MAX_GROUP_IDS = 20;

/**
 * Group membership: `GET /v1.0/groups/{id}/members`, `POST /v1.0/users/{id}/checkMemberGroups`, and
 * adding or removing a member (`POST /v1.0/groups/{id}/members/$ref`,
 * `DELETE /v1.0/groups/{id}/members/{memberId}/$ref`), as an administrator changes who approves.
 */
export function membershipRoutes(store: JsonStateStore<GraphState>): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/v1.0/groups/{id}/members/$ref',
      handler: async ({ params, body }) => {
        const memberId = parseMemberReference(body);
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
          const key = params.memberId.toLowerCase();
          if (!group.memberIds.some((memberId) => memberId.toLowerCase() === key)) throw resourceNotFound(params.memberId);
          group.memberIds = group.memberIds.filter((memberId) => memberId.toLowerCase() !== key);
        });
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      pattern: '/v1.0/groups/{id}/members',
      handler: (request) => {
        const { users, groups } = store.current;
        const group = findGroup(groups, request.params.id);
        if (!group) throw resourceNotFound(request.params.id);
        const members = users.filter((user) => group.memberIds.includes(user.id));
        return listUsers(request, members, { entitySet: 'directoryObjects', odataType: true });
      },
    },
    {
      method: 'POST',
      pattern: '/v1.0/users/{id}/checkMemberGroups',
      handler: ({ params, body, baseUrl }) => {
        const groupIds = parseGroupIds(body);
        const { users, groups } = store.current;
        const user = users[findUserIndex(users, params.id)];
        if (!user) throw resourceNotFound(params.id);
        const memberOf = groupIds.filter((groupId) => findGroup(groups, groupId)?.memberIds.includes(user.id));
        return {
          status: 200,
          body: { '@odata.context': `${baseUrl}/v1.0/$metadata#Collection(Edm.String)`, value: memberOf },
        };
      },
    },
  ];
}

/** The object id in `{ "@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}" }`. */
function parseMemberReference(body: unknown): string {
  const reference = (body as { '@odata.id'?: unknown } | undefined)?.['@odata.id'];
  const id = typeof reference === 'string' ? /\/directoryObjects\/([^/?#]+)$/.exec(reference)?.[1] : undefined;
  if (!id) throw badRequest("The request body needs '@odata.id', the URL of a directory object: https://graph.microsoft.com/v1.0/directoryObjects/{id}.");
  return decodeURIComponent(id);
}

function parseGroupIds(body: unknown): string[] {
  const groupIds = (body as { groupIds?: unknown } | undefined)?.groupIds;
  if (!Array.isArray(groupIds) || !groupIds.every((id) => typeof id === 'string')) {
    throw badRequest("The request body needs 'groupIds', an array of group ids.");
  }
  if (groupIds.length === 0 || groupIds.length > MAX_GROUP_IDS) {
    throw badRequest(`'groupIds' must hold from 1 to ${MAX_GROUP_IDS} ids.`);
  }
  return groupIds as string[];
}
