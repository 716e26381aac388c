import type { JsonStateStore, Route } from '../common';
import { findGroup, findUserIndex, type GraphState } from './graphState';
import { badRequest, resourceNotFound } from './graphErrors';
import { listUsers } from './userList';

const MAX_GROUP_IDS = 20;

/** Group membership: `GET /v1.0/groups/{id}/members` and `POST /v1.0/users/{id}/checkMemberGroups`. */
export function membershipRoutes(store: JsonStateStore<GraphState>): Route[] {
  return [
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
