import type { JsonStateStore, Route } from '../common';
import { registrationNotFound } from './dpsErrors';
import { findRegistrationIndex, registrationsOfGroup, renderRegistration } from './dpsLookup';
import type { DpsState } from './dpsModel';
import { checkIfMatch } from './etag';
import { queryPage } from './queryPaging';

/**
 * Registration records: `GET|DELETE /registrations/{id}` and the registration states of an
 * enrollment group, `POST /registrations/{groupId}/query` (no body, as in the spec).
 * Deleting a record leaves the enrollment alone, as in DPS.
 */
export function registrationRoutes(store: JsonStateStore<DpsState>): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/registrations/{id}/query',
      handler: (request) => {
        const registrations = registrationsOfGroup(store.current, request.params.id).map(renderRegistration);
        return queryPage(request, registrations, 'DeviceRegistration', `registrations:${request.params.id.toLowerCase()}`);
      },
    },
    {
      method: 'GET',
      pattern: '/registrations/{id}',
      handler: ({ params }) => {
        const registration = store.current.registrations[findRegistrationIndex(store.current, params.id)];
        if (!registration) throw registrationNotFound();
        return { status: 200, body: renderRegistration(registration) };
      },
    },
    {
      method: 'DELETE',
      pattern: '/registrations/{id}',
      handler: async ({ params, headers }) => {
        await store.update((state) => {
          const index = findRegistrationIndex(state, params.id);
          if (index < 0) throw registrationNotFound();
          checkIfMatch(headers, state.registrations[index].etag);
          state.registrations.splice(index, 1);
        });
        return { status: 204 };
      },
    },
  ];
}
