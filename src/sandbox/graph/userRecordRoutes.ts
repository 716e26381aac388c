import type { JsonStateStore, Route, SandboxRequest, SandboxResponse } from '../common';
import { EMPTY_DIRECTORY_RECORD, type DirectoryRecord } from './directoryRecord';
import { findUserIndex, type GraphGroup, type GraphState, type GraphUser } from './graphState';
import { resourceNotFound } from './graphErrors';
import { pagedCollection, rejectUnsupportedOptions } from './userList';
import { projectUser } from './userProjection';

const PAGE_OPTIONS = new Set(['$top', '$skiptoken']);

/** What one collection route of a user renders: the items and the `@odata.context` after `$metadata#`. */
type UserCollection = (user: GraphUser, state: GraphState, record: DirectoryRecord) => {
  context: string;
  items: Record<string, unknown>[];
};

/**
 * The parts of a user's Entra record beyond the profile, as Graph v1.0 serves them: memberships
 * (transitive), manager and direct reports, devices, app role assignments, authentication methods
 * and licences. Every collection pages by `$top` and `@odata.nextLink`.
 */
export function userRecordRoutes(store: JsonStateStore<GraphState>): Route[] {
  const collections: Record<string, UserCollection> = {
    transitiveMemberOf: (user, state, record) => ({
      context: 'directoryObjects',
      items: [
        ...transitiveGroups(state.groups, user.id).map(renderGroup),
        ...record.directoryRoles.filter((role) => role.memberIds.includes(user.id)).map(({ memberIds: _, ...role }) => ({
          '@odata.type': '#microsoft.graph.directoryRole',
          ...role,
          description: null,
        })),
      ],
    }),
    directReports: (user, state, record) => ({
      context: 'directoryObjects',
      items: record.managers
        .filter((link) => link.managerId === user.id)
        .map((link) => state.users[findUserIndex(state.users, link.userId)])
        .filter((report) => report !== undefined)
        .map(renderDirectoryUser),
    }),
    appRoleAssignments: (user, _state, record) => ({
      context: `users('${user.id}')/appRoleAssignments`,
      items: record.appRoleAssignments
        .filter((assignment) => assignment.principalId === user.id)
        .map((assignment) => ({
          ...assignment,
          deletedDateTime: null,
          principalDisplayName: user.displayName,
          principalType: 'User',
        })),
    }),
    'authentication/phoneMethods': (user, _state, record) => ({
      context: `users('${user.id}')/authentication/phoneMethods`,
      items: record.phoneMethods.filter((method) => method.userId === user.id).map(({ userId: _, ...method }) => method),
    }),
    'authentication/emailMethods': (user, _state, record) => ({
      context: `users('${user.id}')/authentication/emailMethods`,
      items: record.emailMethods.filter((method) => method.userId === user.id).map(({ userId: _, ...method }) => method),
    }),
  };

  const userOf = (request: SandboxRequest): GraphUser => {
    const user = store.current.users[findUserIndex(store.current.users, request.params.id)];
    if (!user) throw resourceNotFound(request.params.id);
    return user;
  };

  return [
    ...Object.entries(collections).map(([segment, collection]): Route => ({
      method: 'GET',
      pattern: `/v1.0/users/{id}/${segment}`,
      handler: (request): SandboxResponse => {
        rejectUnsupportedOptions(request.query, PAGE_OPTIONS);
        const { context, items } = collection(userOf(request), store.current, store.current.directory ?? EMPTY_DIRECTORY_RECORD);
        return pagedCollection(request, items, `${request.baseUrl}/v1.0/$metadata#${context}`, (item) => item);
      },
    })),
    {
      method: 'GET',
      pattern: '/v1.0/users/{id}/manager',
      handler: (request) => {
        rejectUnsupportedOptions(request.query, new Set());
        const user = userOf(request);
        const { users, directory } = store.current;
        const link = (directory ?? EMPTY_DIRECTORY_RECORD).managers.find((candidate) => candidate.userId === user.id);
        const manager = link && users[findUserIndex(users, link.managerId)];
        // Graph answers a user without a manager with 404, naming the manager reference.
        if (!manager) throw resourceNotFound('manager');
        return {
          status: 200,
          body: { '@odata.context': `${request.baseUrl}/v1.0/$metadata#directoryObjects/$entity`, ...renderDirectoryUser(manager) },
        };
      },
    },
  ];
}

/** The groups `userId` belongs to directly, and every group that holds one of those, however deep. */
function transitiveGroups(groups: readonly GraphGroup[], userId: string): GraphGroup[] {
  const found = groups.filter((group) => group.memberIds.includes(userId));
  for (let i = 0; i < found.length; i++) {
    for (const parent of groups) {
      if (parent.memberGroupIds?.includes(found[i].id) && !found.includes(parent)) found.push(parent);
    }
  }
  return found;
}

function renderGroup(group: GraphGroup): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.group',
    id: group.id,
    displayName: group.displayName,
    description: group.description ?? null,
    securityEnabled: true,
    mailEnabled: false,
  };
}

function renderDirectoryUser(user: GraphUser): Record<string, unknown> {
  return projectUser(user, { select: undefined, odataType: true });
}
