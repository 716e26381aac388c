import type { JsonStateStore, Route } from '../common';
import { enrollmentGroupNotFound } from './dpsErrors';
import { findGroupIndex } from './dpsLookup';
import type { DpsState } from './dpsModel';
import { checkIfMatch } from './etag';
import { queryPage } from './queryPaging';
import { requireSelectAll } from './querySpecification';

/**
 * Enrollment groups: `POST /enrollmentGroups/query` and `GET|DELETE /enrollmentGroups/{id}`.
 * Deleting a group leaves the registration records of its devices, as in DPS.
 */
export function enrollmentGroupRoutes(store: JsonStateStore<DpsState>): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/enrollmentGroups/query',
      handler: (request) => {
        requireSelectAll(request.body, 'enrollmentGroups');
        return queryPage(request, store.current.enrollmentGroups, 'EnrollmentGroup', 'enrollmentGroups');
      },
    },
    {
      method: 'GET',
      pattern: '/enrollmentGroups/{id}',
      handler: ({ params }) => {
        const group = store.current.enrollmentGroups[findGroupIndex(store.current, params.id)];
        if (!group) throw enrollmentGroupNotFound();
        return { status: 200, body: group };
      },
    },
    {
      method: 'DELETE',
      pattern: '/enrollmentGroups/{id}',
      handler: async ({ params, headers }) => {
        await store.update((state) => {
          const index = findGroupIndex(state, params.id);
          if (index < 0) throw enrollmentGroupNotFound();
          checkIfMatch(headers, state.enrollmentGroups[index].etag);
          state.enrollmentGroups.splice(index, 1);
        });
        return { status: 204 };
      },
    },
  ];
}
