import type { DigitalTwinsState, StoredRelationship, StoredTwin } from './digitalTwinsState';

type Bucketed<T> = ReadonlyMap<string, readonly T[]>;

/**
 * Lookups by the string value at a property path, built on first use and kept while the array
 * lives. The state store replaces its arrays on every change, so a stale index is never used:
 * it is simply no longer reachable and a fresh one is built for the new arrays.
 */
const indexes = new WeakMap<readonly object[], Map<string, Bucketed<object>>>();

/** The items whose value at `path` is the string `value`, in array order. */
export function itemsWhere<T extends object>(items: readonly T[], path: readonly string[], value: string): readonly T[] {
  return indexOn(items, path).get(value) ?? [];
}

export function twinById(state: DigitalTwinsState, id: string): StoredTwin | undefined {
  return itemsWhere(state.twins, ['$dtId'], id)[0];
}

/** Outgoing relationships of a twin. */
export function relationshipsFrom(state: DigitalTwinsState, twinId: string): readonly StoredRelationship[] {
  return itemsWhere(state.relationships, ['$sourceId'], twinId);
}

/** Incoming relationships of a twin. */
export function relationshipsTo(state: DigitalTwinsState, twinId: string): readonly StoredRelationship[] {
  return itemsWhere(state.relationships, ['$targetId'], twinId);
}

/** The value at a dotted path inside a document, or undefined where any step is missing. */
export function valueAt(document: unknown, path: readonly string[]): unknown {
  let value = document;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function indexOn<T extends object>(items: readonly T[], path: readonly string[]): Bucketed<T> {
  let byPath = indexes.get(items);
  if (!byPath) {
    byPath = new Map();
    indexes.set(items, byPath);
  }
  const key = path.join('\u0000');
  let index = byPath.get(key) as Bucketed<T> | undefined;
  if (!index) {
    const built = new Map<string, T[]>();
    for (const item of items) {
      const value = valueAt(item, path);
      if (typeof value !== 'string') continue;
      const bucket = built.get(value);
      if (bucket) bucket.push(item);
      else built.set(value, [item]);
    }
    index = built;
    byPath.set(key, index);
  }
  return index;
}
