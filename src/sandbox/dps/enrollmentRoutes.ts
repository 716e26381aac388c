import type { JsonStateStore, Route } from '../common';
import { enrollmentNotFound, preconditionFailed } from './dpsErrors';
import { findEnrollmentIndex, individualRegistrations, renderEnrollment } from './dpsLookup';
import type { DpsState } from './dpsModel';
import { parseEnrollmentInput } from './enrollmentInput';
import { checkIfMatch, hasVersionedIfMatch, newEtag } from './etag';
import { queryPage } from './queryPaging';
import { requireSelectAll } from './querySpecification';

/**
 * Individual enrollments: `POST /enrollments/query` and `GET|PUT|DELETE /enrollments/{id}`.
 * Deleting an enrollment leaves its registration record alone, as in DPS.
 */
export function enrollmentRoutes(store: JsonStateStore<DpsState>): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/enrollments/query',
      handler: (request) => {
        requireSelectAll(request.body, 'enrollments');
        const state = store.current;
        const registrations = individualRegistrations(state);
        return queryPage(request, state.enrollments, 'Enrollment', 'enrollments', (enrollment) => renderEnrollment(registrations, enrollment));
      },
    },
    {
      method: 'GET',
      pattern: '/enrollments/{id}',
      handler: ({ params }) => {
        const state = store.current;
        const enrollment = state.enrollments[findEnrollmentIndex(state, params.id)];
        if (!enrollment) throw enrollmentNotFound();
        return { status: 200, body: renderEnrollment(individualRegistrations(state), enrollment) };
      },
    },
    {
      method: 'PUT',
      pattern: '/enrollments/{id}',
      handler: async ({ params, body, headers }) => {
        const saved = await store.update((state) => {
          const index = findEnrollmentIndex(state, params.id);
          const previous = state.enrollments[index];
          if (previous) checkIfMatch(headers, previous.etag);
          else if (hasVersionedIfMatch(headers)) throw preconditionFailed();
          const input = parseEnrollmentInput(params.id, body, previous);
          const now = new Date().toISOString();
          const enrollment = { ...input, etag: newEtag(), createdDateTimeUtc: previous?.createdDateTimeUtc ?? now, lastUpdatedDateTimeUtc: now };
          if (previous) state.enrollments[index] = enrollment;
          else state.enrollments.push(enrollment);
          return renderEnrollment(individualRegistrations(state), enrollment);
        });
        return { status: 200, body: saved };
      },
    },
    {
      method: 'DELETE',
      pattern: '/enrollments/{id}',
      handler: async ({ params, headers }) => {
        await store.update((state) => {
          const index = findEnrollmentIndex(state, params.id);
          if (index < 0) throw enrollmentNotFound();
          checkIfMatch(headers, state.enrollments[index].etag);
          state.enrollments.splice(index, 1);
        });
        return { status: 204 };
      },
    },
  ];
}
