import { quotedString } from '../queryLiteral';

/**
 * The query texts the Digital Twins adapter sends. Every value goes through `quotedString`, every
 * property path and relationship name was checked when the adapter was configured.
 */

/** The service refuses longer query texts. */
const MAX_QUERY_LENGTH = 8000;
/** Ids per `IN [...]` list: small enough for any id length and for the service's query cost. */
const MAX_IDS_PER_QUERY = 100;

/** Twins whose property (dotted path) holds one of the values. */
export function twinsWithProperty(path: string, values: readonly string[]): string {
  return `SELECT * FROM DIGITALTWINS T WHERE T.${path} ${matchAny(values)}`;
}

/**
 * The twins a person holds directly: by property, the person's own twin (id = their object id), or
 * both in one query. With `columns`, only those top-level properties of each twin (`$dtId`, ...).
 */
export function twinsOfPerson(
  property: { path: string; values: readonly string[] } | undefined, personTwinId: string | undefined, columns?: readonly string[],
): string {
  return twinsOfPersonWhere(property, personTwinId === undefined ? [] : [personTwinId], columns);
}

function twinsOfPersonWhere(property: { path: string; values: readonly string[] } | undefined, personTwinIds: readonly string[], columns?: readonly string[]): string {
  const conditions = [
    ...(property && property.values.length > 0 ? [`T.${property.path} ${matchAny(property.values)}`] : []),
    ...(personTwinIds.length > 0 ? [`T.$dtId ${matchAny(personTwinIds)}`] : []),
  ];
  if (conditions.length === 0) throw new Error('A query for twins needs a property or a twin id.');
  const select = columns ? columns.map((column) => `T.${column}`).join(', ') : '*';
  return `SELECT ${select} FROM DIGITALTWINS T WHERE ${conditions.join(' OR ')}`;
}

/** One person's direct link, as {@link twinsOfPerson} takes it. */
export interface DirectLink {
  property?: { path: string; values: readonly string[] };
  personTwinId?: string;
}

/** One query over the direct links of several people, and which of them (by index) it covers. */
export interface PeopleBatch {
  people: number[];
  query: string;
}

/**
 * The twins several people hold directly ({@link twinsOfPerson} with every value of theirs in one
 * `IN [...]`), in as few queries as the limits allow: at most {@link MAX_IDS_PER_QUERY} values and
 * {@link MAX_QUERY_LENGTH} characters each. All links name the same property path.
 */
export function twinsOfPeople(links: readonly DirectLink[], columns?: readonly string[]): PeopleBatch[] {
  const out: PeopleBatch[] = [];
  let batch: number[] = [];
  let query = '';
  links.forEach((_, index) => {
    const widened = peopleQuery(links, [...batch, index], columns);
    if (batch.length > 0 && (widened.values > MAX_IDS_PER_QUERY || widened.query.length > MAX_QUERY_LENGTH)) {
      out.push({ people: batch, query });
      batch = [index];
      query = peopleQuery(links, batch, columns).query;
    } else {
      batch.push(index);
      query = widened.query;
    }
  });
  if (batch.length > 0) out.push({ people: batch, query });
  return out;
}

function peopleQuery(links: readonly DirectLink[], people: readonly number[], columns?: readonly string[]): { query: string; values: number } {
  const chosen = people.map((index) => links[index]);
  const path = chosen.find((link) => link.property)?.property?.path;
  const values = [...new Set(chosen.flatMap((link) => link.property?.values ?? []))];
  const ids = [...new Set(chosen.flatMap((link) => (link.personTwinId === undefined ? [] : [link.personTwinId])))];
  const property = path === undefined ? undefined : { path, values };
  return { query: twinsOfPersonWhere(property, ids, columns), values: values.length + ids.length };
}

/**
 * Twins related by `relationship` to the twin with id `targetId` (a person twin): rows `{ source }`,
 * or with `columns` rows of those top-level properties of the source twin.
 */
export function twinsRelatedTo(relationship: string, targetId: string, columns?: readonly string[]): string {
  const select = columns ? columns.map((column) => `source.${column}`).join(', ') : 'source';
  return `SELECT ${select} FROM DIGITALTWINS source JOIN target RELATED source.${relationship} WHERE target.$dtId = ${quotedString(targetId)}`;
}

/** Queries for every relationship from or to the twins, by batch of ids. */
export function relationshipsTouching(ids: readonly string[]): IdBatch[] {
  return batches(ids, (list) => `SELECT * FROM RELATIONSHIPS WHERE $sourceId IN ${list} OR $targetId IN ${list}`, 2);
}

/** One query over a batch of twin ids, and the ids. */
export interface IdBatch {
  ids: string[];
  query: string;
}

/** Queries for the relationships from the twins (outgoing), or to them (incoming), by batch of ids. */
export function relationshipsOf(direction: 'outgoing' | 'incoming', ids: readonly string[]): IdBatch[] {
  const end = direction === 'outgoing' ? '$sourceId' : '$targetId';
  return batches(ids, (list) => `SELECT * FROM RELATIONSHIPS WHERE ${end} IN ${list}`, 1);
}

/** Queries for the id and the top-level property holding the link, of each twin, by batch of ids. */
export function linkPropertyOfTwins(path: string, ids: readonly string[]): IdBatch[] {
  const top = path.split('.')[0];
  return batches(ids, (list) => `SELECT T.$dtId, T.${top} FROM DIGITALTWINS T WHERE T.$dtId IN ${list}`, 1);
}

/** Queries for the link relationships from or to the twins (who owns them, which are person twins), by batch. */
export function linkRelationshipsOf(relationship: string, ids: readonly string[]): IdBatch[] {
  const name = quotedString(relationship);
  return batches(ids, (list) => `SELECT * FROM RELATIONSHIPS WHERE $relationshipName = ${name} AND ($sourceId IN ${list} OR $targetId IN ${list})`, 2);
}

/**
 * Queries for the twins related by `relationship` to the twins with these ids (person twins), by
 * batch: rows `{ source, target }`, whole twins, the target saying whose the source is.
 */
export function twinsRelatedToAny(relationship: string, targetIds: readonly string[]): IdBatch[] {
  return batches(targetIds, (list) => `SELECT source, target FROM DIGITALTWINS source JOIN target RELATED source.${relationship} WHERE target.$dtId IN ${list}`, 1);
}

function matchAny(values: readonly string[]): string {
  return values.length === 1 ? `= ${quotedString(values[0])}` : `IN ${literalList(values)}`;
}

function literalList(values: readonly string[]): string {
  return `[${values.map(quotedString).join(', ')}]`;
}

/**
 * Splits ids into as few queries as the limits allow: at most {@link MAX_IDS_PER_QUERY} ids and
 * {@link MAX_QUERY_LENGTH} characters each, where the list appears `uses` times in the text.
 */
function batches(ids: readonly string[], build: (list: string) => string, uses: number): IdBatch[] {
  const fixed = build('[]').length;
  const out: IdBatch[] = [];
  let batch: string[] = [];
  let listLength = 2;
  for (const id of ids) {
    const added = quotedString(id).length + 2;
    if (batch.length > 0 && (batch.length >= MAX_IDS_PER_QUERY || fixed + uses * (listLength + added) > MAX_QUERY_LENGTH)) {
      out.push({ ids: batch, query: build(literalList(batch)) });
      batch = [];
      listLength = 2;
    }
    batch.push(id);
    listLength += added;
  }
  if (batch.length > 0) out.push({ ids: batch, query: build(literalList(batch)) });
  return out;
}
