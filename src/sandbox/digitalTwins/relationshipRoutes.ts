import type { JsonStateStore, Route } from '../common';
import { digitalTwinsError, preconditionFailed, relationshipNotFound, twinNotFound } from './digitalTwinsErrors';
import { newEtag, type DigitalTwinsState, type StoredRelationship } from './digitalTwinsState';
import { checkIfMatch } from './ifMatch';
import { listPage } from './listPaging';
import { relationshipsFrom, relationshipsTo, twinById } from './stateIndex';

/**
 * A twin's outgoing relationships (optionally of one name), its incoming ones, and adding and
 * deleting one. An incoming relationship is deleted on its source twin, through the link it carries.
 */
export function relationshipRoutes(store: JsonStateStore<DigitalTwinsState>): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/digitaltwins/{id}/relationships',
      handler: (request) => {
        const state = store.current;
        if (!twinById(state, request.params.id)) throw twinNotFound(request.params.id);
        const name = request.query.get('relationshipName');
        const outgoing = relationshipsFrom(state, request.params.id);
        return { status: 200, body: listPage(request, name === null ? outgoing : outgoing.filter((r) => r.$relationshipName === name)) };
      },
    },
    {
      method: 'GET',
      pattern: '/digitaltwins/{id}/incomingrelationships',
      handler: (request) => {
        const state = store.current;
        if (!twinById(state, request.params.id)) throw twinNotFound(request.params.id);
        const incoming = relationshipsTo(state, request.params.id).map((r) => ({
          $relationshipId: r.$relationshipId,
          $sourceId: r.$sourceId,
          $relationshipName: r.$relationshipName,
          $relationshipLink: `/digitaltwins/${encodeURIComponent(r.$sourceId)}/relationships/${encodeURIComponent(r.$relationshipId)}`,
        }));
        return { status: 200, body: listPage(request, incoming) };
      },
    },
    {
      method: 'PUT',
      pattern: '/digitaltwins/{id}/relationships/{relationshipId}',
      handler: async ({ params, headers, body }) => {
        const fields = relationshipBody(body, params.id);
        const relationship = await store.update((state) => {
          if (!state.twins.some((t) => t.$dtId === params.id)) throw twinNotFound(params.id);
          if (!state.twins.some((t) => t.$dtId === fields.$targetId)) {
            throw digitalTwinsError(404, 'TargetTwinNotFound', 'The target digital twin of the relationship was not found.');
          }
          const index = state.relationships.findIndex((r) => r.$sourceId === params.id && r.$relationshipId === params.relationshipId);
          if (index >= 0 && headers['if-none-match']?.trim() === '*') throw preconditionFailed();
          const stored: StoredRelationship = {
            $relationshipId: params.relationshipId, $sourceId: params.id, ...fields, $etag: newEtag(),
          };
          if (index >= 0) state.relationships[index] = stored;
          else state.relationships.push(stored);
          return stored;
        });
        return { status: 200, body: relationship, headers: { ETag: relationship.$etag } };
      },
    },
    {
      method: 'DELETE',
      pattern: '/digitaltwins/{id}/relationships/{relationshipId}',
      handler: async ({ params, headers }) => {
        const { id, relationshipId } = params;
        if (!twinById(store.current, id)) throw twinNotFound(id);
        if (!relationshipsFrom(store.current, id).some((r) => r.$relationshipId === relationshipId)) throw relationshipNotFound(relationshipId);
        await store.update((state) => {
          const index = state.relationships.findIndex((r) => r.$sourceId === id && r.$relationshipId === relationshipId);
          if (index < 0) throw relationshipNotFound(relationshipId);
          checkIfMatch(headers, state.relationships[index].$etag);
          state.relationships.splice(index, 1);
        });
        return { status: 204 };
      },
    },
  ];
}

/** The body of `PUT .../relationships/{relationshipId}`: `$targetId` and `$relationshipName` plus properties. */
function relationshipBody(body: unknown, sourceId: string): { $targetId: string; $relationshipName: string; [property: string]: unknown } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw digitalTwinsError(400, 'InvalidArgument', 'The relationship must be a JSON object.');
  }
  const { $targetId, $relationshipName, $relationshipId: _id, $sourceId: _source, $etag: _etag, ...properties } = body as Record<string, unknown>;
  if (typeof $targetId !== 'string' || $targetId === '' || typeof $relationshipName !== 'string' || $relationshipName === '') {
    throw digitalTwinsError(400, 'InvalidRelationship', 'A relationship needs a $targetId and a $relationshipName.');
  }
  if ($targetId === sourceId) {
    throw digitalTwinsError(400, 'OperationNotAllowed', 'A relationship cannot connect a digital twin to itself.');
  }
  return { $targetId, $relationshipName, ...properties };
}
