import type { DigitalTwinsState, StoredRelationship } from './digitalTwinsState';
import type { Condition, ParsedQuery, PropertyRef } from './queryParser';
import { itemsWhere, twinById, valueAt } from './stateIndex';

/** One page of results and where the next one starts. */
export interface QueryPage {
  readonly value: unknown[];
  /** Position in the candidate list to resume from; absent on the last page. */
  readonly next?: number;
  /** Candidates looked at, for the query charge. */
  readonly examined: number;
}

type Row = Readonly<Record<string, object>>;

/**
 * How a query walks the state: the candidate documents (an index bucket where the condition
 * pins a value, otherwise the whole array, never copied), how a candidate becomes a row of
 * named documents, and how the condition's references map to index paths of the candidates.
 */
interface Scan {
  readonly all: readonly object[];
  /** The row a candidate stands for, or undefined to skip it (a relationship to a deleted twin). */
  row(candidate: object): Row | undefined;
  /** The path of the candidate to index for a reference, where one can serve it. */
  indexPath(ref: PropertyRef): readonly string[] | undefined;
}

/**
 * Runs a parsed query from `position` and returns at most `pageSize` results. Continuing means
 * calling again with the returned `next` and the same query: the candidate list is rebuilt
 * (cheaply, from indexes), so nothing of a result is held between pages.
 */
export function runQuery(query: ParsedQuery, state: Readonly<DigitalTwinsState>, position: number, pageSize: number): QueryPage {
  const scan = scanFor(query, state);
  const candidates = (query.where && plan(query.where, scan)) ?? scan.all;
  const value: unknown[] = [];
  let i = position;
  for (; i < candidates.length && value.length < pageSize; i++) {
    const row = scan.row(candidates[i]);
    if (row && (!query.where || holds(query.where, row))) value.push(project(query, row));
  }
  return { value, ...(i < candidates.length && { next: i }), examined: i - position };
}

function scanFor(query: ParsedQuery, state: Readonly<DigitalTwinsState>): Scan {
  const alias = query.from.alias ?? '';
  if (query.from.collection === 'RELATIONSHIPS') {
    return {
      all: state.relationships,
      row: (relationship) => ({ [alias]: relationship }),
      indexPath: (ref) => ref.path,
    };
  }
  const join = query.join;
  if (!join) {
    return { all: state.twins, row: (twin) => ({ [alias]: twin }), indexPath: (ref) => ref.path };
  }
  return {
    all: itemsWhere(state.relationships, ['$relationshipName'], join.relationship),
    row: (candidate) => {
      const relationship = candidate as StoredRelationship;
      if (relationship.$relationshipName !== join.relationship) return undefined;
      const source = twinById(state, relationship.$sourceId);
      const target = twinById(state, relationship.$targetId);
      return source && target ? { [alias]: source, [join.alias]: target } : undefined;
    },
    indexPath: (ref) => {
      if (ref.path.length !== 1 || ref.path[0] !== '$dtId') return undefined;
      return ref.alias === alias ? ['$sourceId'] : ['$targetId'];
    },
  };
}

/** The candidates an index can narrow the condition to, or undefined when it cannot. */
function plan(condition: Condition, scan: Scan): readonly object[] | undefined {
  switch (condition.kind) {
    case 'equals':
    case 'in': {
      const path = scan.indexPath(condition.ref);
      if (!path) return undefined;
      const values = condition.kind === 'equals' ? [condition.value] : condition.values;
      return union(values.map((value) => itemsWhere(scan.all, path, value)));
    }
    case 'and': {
      const left = plan(condition.left, scan);
      const right = plan(condition.right, scan);
      if (!left || !right) return left ?? right;
      return left.length <= right.length ? left : right;
    }
    case 'or': {
      const left = plan(condition.left, scan);
      const right = plan(condition.right, scan);
      return left && right ? union([left, right]) : undefined;
    }
  }
}

/** Buckets joined in order, each document once. */
function union(buckets: readonly (readonly object[])[]): readonly object[] {
  if (buckets.length === 1) return buckets[0];
  const seen = new Set<object>();
  const out: object[] = [];
  for (const bucket of buckets) {
    for (const item of bucket) {
      if (!seen.has(item)) {
        seen.add(item);
        out.push(item);
      }
    }
  }
  return out;
}

function holds(condition: Condition, row: Row): boolean {
  switch (condition.kind) {
    case 'equals': return valueOf(condition.ref, row) === condition.value;
    case 'in': {
      const value = valueOf(condition.ref, row);
      return typeof value === 'string' && condition.values.includes(value);
    }
    case 'and': return holds(condition.left, row) && holds(condition.right, row);
    case 'or': return holds(condition.left, row) || holds(condition.right, row);
  }
}

function valueOf(ref: PropertyRef, row: Row): unknown {
  return valueAt(row[ref.alias ?? ''], ref.path);
}

function project(query: ParsedQuery, row: Row): unknown {
  if (query.select === '*') return row[query.from.alias ?? ''];
  const out: Record<string, unknown> = {};
  for (const column of query.select) {
    const document = row[column.alias];
    if (column.property === undefined) out[column.alias] = document;
    else {
      const value = valueAt(document, [column.property]);
      if (value !== undefined) out[column.property] = value;
    }
  }
  return out;
}
