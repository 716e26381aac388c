import type { JsonStateStore, Route } from '../common';
import { findUserIndex, type GraphState } from './graphState';
import { resourceNotFound } from './graphErrors';

/**
 * `POST /v1.0/users/{id}/revokeSignInSessions`: invalidates the user's refresh tokens and session
 * cookies. Graph shows it by moving `signInSessionsValidFromDateTime` to now, which is what the
 * sandbox records (tests read it back with `$select`).
 */
export function sessionRoutes(store: JsonStateStore<GraphState>): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/v1.0/users/{id}/revokeSignInSessions',
      handler: async ({ params, baseUrl }) => {
        await store.update((state) => {
          const index = findUserIndex(state.users, params.id);
          if (index < 0) throw resourceNotFound(params.id);
          state.users[index].signInSessionsValidFromDateTime = `${new Date().toISOString().slice(0, 19)}Z`;
        });
        return { status: 200, body: { '@odata.context': `${baseUrl}/v1.0/$metadata#Edm.Boolean`, value: true } };
      },
    },
  ];
}
