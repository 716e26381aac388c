import { ServiceError } from '../../dsr';

/**
 * How the Digital Twins adapter names a relationship in a plan: `sourceTwinId/relationshipId`,
 * since Digital Twins deletes a relationship through its source twin. Each part is URI-encoded,
 * as in Azure's own `$relationshipLink`, so that an id holding a `/` cannot be read as another
 * relationship's address; ids of letters, digits, `-`, `_` and `.` read as they are.
 */
export function relationshipPlanId(sourceId: string, relationshipId: string): string {
  return `${encodeURIComponent(sourceId)}/${encodeURIComponent(relationshipId)}`;
}

/** The source twin id and relationship id a plan's relationship id stands for. */
export function relationshipAddress(planId: string): [sourceId: string, relationshipId: string] {
  const parts = planId.split('/');
  try {
    if (parts.length === 2 && parts.every((part) => part !== '')) return [decodeURIComponent(parts[0]), decodeURIComponent(parts[1])];
  } catch {
    // A malformed escape: refused below like any other malformed id.
  }
  throw new ServiceError('digitalTwins', 'A planned relationship is not named as sourceTwinId/relationshipId: discover the request again.');
}
