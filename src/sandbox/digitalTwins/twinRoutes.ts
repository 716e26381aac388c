import type { JsonStateStore, Route } from '../common';
import { digitalTwinsError, twinNotFound } from './digitalTwinsErrors';
import type { DigitalTwinsState } from './digitalTwinsState';
import { checkIfMatch } from './ifMatch';
import { relationshipsFrom, relationshipsTo, twinById } from './stateIndex';
import { applyTwinPatch, parseTwinPatch } from './twinPatch';

/** `/digitaltwins/{id}`: get, update (JSON Patch) and delete, each with ETag / `If-Match`. */
export function twinRoutes(store: JsonStateStore<DigitalTwinsState>): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/digitaltwins/{id}',
      handler: ({ params }) => {
        const twin = twinById(store.current, params.id);
        if (!twin) throw twinNotFound(params.id);
        return { status: 200, body: twin, headers: { ETag: twin.$etag } };
      },
    },
    {
      method: 'PATCH',
      pattern: '/digitaltwins/{id}',
      handler: async ({ params, headers, body }) => {
        const operations = parseTwinPatch(body);
        if (!twinById(store.current, params.id)) throw twinNotFound(params.id);
        const etag = await store.update((state) => {
          const twin = state.twins.find((candidate) => candidate.$dtId === params.id);
          if (!twin) throw twinNotFound(params.id);
          checkIfMatch(headers, twin.$etag);
          applyTwinPatch(twin, operations);
          return twin.$etag;
        });
        return { status: 204, headers: { ETag: etag } };
      },
    },
    {
      method: 'DELETE',
      pattern: '/digitaltwins/{id}',
      handler: async ({ params, headers }) => {
        // Answered from the indexes when it can be: a change copies and writes the whole state.
        if (!twinById(store.current, params.id)) throw twinNotFound(params.id);
        if (relationshipsFrom(store.current, params.id).length + relationshipsTo(store.current, params.id).length > 0) {
          throw relationshipsNotDeleted();
        }
        await store.update((state) => {
          const index = state.twins.findIndex((candidate) => candidate.$dtId === params.id);
          if (index < 0) throw twinNotFound(params.id);
          checkIfMatch(headers, state.twins[index].$etag);
          const related = state.relationships.some((r) => r.$sourceId === params.id || r.$targetId === params.id);
          if (related) throw relationshipsNotDeleted();
          state.twins.splice(index, 1);
        });
        return { status: 204 };
      },
    },
  ];
}

function relationshipsNotDeleted() {
  return digitalTwinsError(400, 'RelationshipsNotDeleted',
    'The digital twin has relationships. Delete its incoming and outgoing relationships before deleting it.');
}
