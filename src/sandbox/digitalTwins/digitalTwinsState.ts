import { randomUUID } from 'node:crypto';
import type { Tenant } from '../tenant';

/** A twin as seeded: its id, its model and its properties (no `$etag`, no timestamps). */
export interface TwinSeed {
  $dtId: string;
  $metadata: { $model: string };
  [property: string]: unknown;
}

/** A relationship as seeded. */
export interface RelationshipSeed {
  $relationshipId: string;
  $sourceId: string;
  $targetId: string;
  $relationshipName: string;
  [property: string]: unknown;
}

/** The twins and relationships a sandbox starts with: tenant.json's `digitalTwins` section, or a test's own. */
export interface DigitalTwinsSeed {
  twins: readonly TwinSeed[];
  relationships: readonly RelationshipSeed[];
}

/** A twin as the service returns it: `$dtId`, `$etag`, `$metadata` and the properties. */
export interface StoredTwin {
  $dtId: string;
  $etag: string;
  $metadata: { $model: string; $lastUpdateTime: string; [property: string]: unknown };
  [property: string]: unknown;
}

/** A relationship as the service returns it, `$etag` included. */
export interface StoredRelationship {
  $relationshipId: string;
  $sourceId: string;
  $targetId: string;
  $relationshipName: string;
  $etag: string;
  [property: string]: unknown;
}

/** Everything the Digital Twins sandbox persists. Array order is the order queries return. */
export interface DigitalTwinsState {
  twins: StoredTwin[];
  relationships: StoredRelationship[];
}

/** A weak ETag shaped as Azure Digital Twins shapes them: `W/"<uuid>"`. */
export function newEtag(): string {
  return `W/"${randomUUID()}"`;
}

/** The tenant's `digitalTwins` section as a seed. */
export function tenantSeed(tenant: Tenant): DigitalTwinsSeed {
  return tenant.digitalTwins;
}

/** The stored state of a seed: each twin and relationship gets an ETag, each property a timestamp. */
export function seedDigitalTwinsState(seed: DigitalTwinsSeed, now = new Date()): DigitalTwinsState {
  const at = now.toISOString();
  return {
    twins: seed.twins.map((twin) => {
      const { $dtId, $metadata, ...properties } = twin;
      const propertyMetadata = Object.fromEntries(Object.keys(properties).map((name) => [name, { lastUpdateTime: at }]));
      return {
        $dtId,
        $etag: newEtag(),
        $metadata: { $model: $metadata.$model, $lastUpdateTime: at, ...propertyMetadata },
        ...structuredClone(properties),
      };
    }),
    relationships: seed.relationships.map((relationship) => ({ ...structuredClone(relationship), $etag: newEtag() })),
  };
}
