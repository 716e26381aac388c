import type { TokenCredential } from '@azure/core-auth';
import type { DigitalTwinsClient } from '@azure/digital-twins-core';
import { pseudonymFor } from '../dsr/pseudonyms';
import { streamedArray, type AdapterCallContext, type ExportFile, type ServiceAdapter, type StepReport } from '../dsr/serviceAdapter';
import type { DiscoveryResult, Subject } from '../dsr/types';
import { CallPolicy, ServiceCaller, isNotFound } from './callPolicy';
import { createDigitalTwinsClient, withAbortSignal } from './digitalTwins/digitalTwinsClient';
import {
  linkPropertyOfTwins, linkRelationshipsOf, relationshipsOf, relationshipsTouching, twinsOfPerson, twinsRelatedTo, twinsWithProperty, type IdBatch,
} from './digitalTwins/twinQueries';
import { itemsOf, mapOrdered, nonEmpty } from './exportStreams';
import { propertyPath } from './queryLiteral';

/** Which field of the subject a link property holds. */
export type DigitalTwinsLinkField = 'aadObjectId' | 'email' | 'upn';

/**
 * How a twin names the person it belongs to. Azure Digital Twins has no owner field: the link is
 * the customer's modelling choice, a property, a relationship to a person twin, or both.
 */
export interface DigitalTwinsLink {
  /**
   * Dotted path of the twin property naming the person, such as `ownerId` or `externalIds.entra`.
   * Default `ownerId`; `null` when twins are linked by {@link relationship} only.
   */
  property?: string | null;
  /** Which subject field the property holds. Default `aadObjectId`. */
  holds?: DigitalTwinsLinkField;
  /**
   * Name of a relationship from a twin to a person twin whose `$dtId` is the person's Entra
   * object id (for example `assignedTo`). Twins with such a relationship to the subject's person
   * twin are the subject's, and so is the person twin itself (it stands for the subject).
   */
  relationship?: string;
}

/** How the bot reaches one Azure Digital Twins instance and what counts as the subject's there. */
export interface DigitalTwinsAdapterOptions {
  /** The instance's URL, `https://<name>.api.<region>.digitaltwins.azure.net` (or the sandbox's URL). */
  endpoint: string;
  /**
   * Entra credential with the "Azure Digital Twins Data Owner" role on the instance; tokens are
   * asked for `https://digitaltwins.azure.net/.default`.
   */
  credential: TokenCredential;
  /**
   * Key of the stable pseudonyms (`pseudonymFor`) that replace the ids of other people's twins
   * where they appear in the subject's relationships.
   */
  pseudonymKey: string;
  /** Time-out, retries and concurrency of the calls; defaults to `DEFAULT_CALL_POLICY`. */
  policy?: Partial<CallPolicy>;
  /** Default: the `ownerId` property holds the subject's Entra object id. */
  link?: DigitalTwinsLink;
}

/** A twin as the query API returns it. */
interface Twin {
  $dtId: string;
  [property: string]: unknown;
}

/** A relationship as the query API returns it. */
interface Relationship {
  $relationshipId: string;
  $sourceId: string;
  $targetId: string;
  $relationshipName: string;
  [property: string]: unknown;
}

/** The subject's twins and every relationship from or to them. */
interface Holdings {
  twins: Map<string, Twin>;
  relationships: Relationship[];
}

/** Correction keys are Entra property names; these are the ones a link can hold. */
const CORRECTION_KEY: Record<DigitalTwinsLinkField, string | undefined> = {
  aadObjectId: undefined,
  email: 'mail',
  upn: 'userPrincipalName',
};
const DEFAULT_PROPERTY = 'ownerId';
const QUERY_PAGE_SIZE = 1000;
/** Relationship batches (100 twins each) an export has in flight at once, within the call policy's concurrency. */
const BATCHES_IN_FLIGHT = 4;

/**
 * Azure Digital Twins through `@azure/digital-twins-core`: the twins whose link (a property, a
 * relationship to the person's twin, or both) names the subject, the person twin where
 * relationships are the link, and their relationships.
 *
 * Finding is done with server-side queries only, page by page (1,000 a page), never by reading
 * every twin: the twins by their link, then their relationships in both directions with one
 * `FROM RELATIONSHIPS ... IN [...]` query per batch of twins. Export streams: it runs the same
 * twin queries (and once more for ids, per direction) and asks for each batch's outgoing and
 * incoming relationships separately, so that each file's arrays come out in order, a batch at a
 * time, and nothing grows with the subject's data. Query results can lag writes by a
 * few seconds; erasure therefore also deals with a relationship the query did not show yet
 * (the twin's delete answers `RelationshipsNotDeleted`, and the twin's relationships are then
 * listed with the strongly consistent list operations and deleted before one more try).
 */
export class DigitalTwinsAdapter implements ServiceAdapter {
  readonly service = 'digitalTwins' as const;
  private readonly client: DigitalTwinsClient;
  private readonly caller: ServiceCaller;
  private readonly property: string | undefined;
  private readonly holds: DigitalTwinsLinkField;
  private readonly relationship: string | undefined;

  constructor(private readonly options: DigitalTwinsAdapterOptions) {
    const link = options.link ?? {};
    this.property = link.property === null ? undefined : propertyPath(link.property ?? DEFAULT_PROPERTY);
    this.holds = link.holds ?? 'aadObjectId';
    this.relationship = link.relationship === undefined ? undefined : relationshipName(link.relationship);
    if (!this.property && !this.relationship) throw new Error('A Digital Twins link needs a property, a relationship or both.');
    this.client = createDigitalTwinsClient(options.endpoint, options.credential);
    this.caller = new ServiceCaller('digitalTwins', options.policy);
  }

  async discover(subject: Subject, context: AdapterCallContext): Promise<DiscoveryResult> {
    const { twins, relationships } = await this.holdings(subject, context);
    if (twins.size === 0) return { count: 0, items: [] };
    return {
      count: twins.size + relationships.length,
      items: [counted(twins.size, 'twin'), counted(relationships.length, 'relationship')],
    };
  }

  /**
   * `twins.json` and `relationships.json` (`{ outgoing, incoming }`), both streamed: the twins a
   * query page at a time, the relationships a batch of the subject's twins at a time, each batch
   * with one lookup of the twins at its far ends (to pseudonymise other people's). Nothing of the
   * subject's is held beyond a batch: the relationship passes read the twins' ids again.
   */
  async *export(subject: Subject, context: AdapterCallContext): AsyncIterable<ExportFile> {
    const twins = await nonEmpty(itemsOf(this.subjectTwinPages(subject, context)));
    if (!twins) return;
    yield { path: 'twins.json', content: streamedArray(twins) };
    yield {
      path: 'relationships.json',
      content: {
        outgoing: streamedArray(this.exportedRelationships(subject, 'outgoing', context)),
        incoming: streamedArray(this.exportedRelationships(subject, 'incoming', context)),
      },
    };
  }

  async erase(subject: Subject, context: AdapterCallContext): Promise<StepReport> {
    const { twins, relationships } = await this.holdings(subject, context);
    await Promise.all(relationships.map((r) => this.deleteRelationship(r.$sourceId, r.$relationshipId, context)));
    const late = await Promise.all([...twins.keys()].map((id) => this.deleteTwin(id, context)));
    const relationshipCount = relationships.length + late.reduce((sum, n) => sum + n, 0);
    return {
      summary: `deleted ${counted(twins.size, 'twin')} and ${counted(relationshipCount, 'relationship')}`,
      count: twins.size + relationshipCount,
    };
  }

  async rectify(subject: Subject, corrections: Record<string, string>, context: AdapterCallContext): Promise<StepReport> {
    const key = CORRECTION_KEY[this.holds];
    if (!this.property || key === undefined) return { summary: 'twins name the subject by object id: nothing to correct', count: 0 };
    const corrected = corrections[key];
    if (corrected === undefined) return { summary: 'no correction to the field twins name the subject by', count: 0 };
    const property = this.property;
    const twins = await this.rows([twinsWithProperty(property, subjectValues(subject, this.holds))], context) as Twin[];
    await Promise.all(twins.map((twin) => this.correctLink(subject, twin, property, corrected, context)));
    return { summary: `corrected the linking property of ${counted(twins.length, 'twin')}`, count: twins.length };
  }

  /** The subject's twins (by property and by relationship) and every relationship from or to them. */
  private async holdings(subject: Subject, context: AdapterCallContext): Promise<Holdings> {
    const property = this.property ? { path: this.property, values: subjectValues(subject, this.holds) } : undefined;
    const [direct, related] = await Promise.all([
      this.rows([twinsOfPerson(property, this.relationship ? subject.aadObjectId : undefined)], context) as Promise<Twin[]>,
      this.relationship ? this.rows([twinsRelatedTo(this.relationship, subject.aadObjectId)], context) as Promise<{ source: Twin }[]> : [],
    ]);
    const twins = new Map<string, Twin>();
    for (const twin of [...direct, ...related.map((row) => row.source)]) twins.set(twin.$dtId, twin);
    const relationships = new Map<string, Relationship>();
    for (const r of await this.rows(relationshipsTouching([...twins.keys()]), context) as Relationship[]) {
      relationships.set(JSON.stringify([r.$sourceId, r.$relationshipId]), r);
    }
    return { twins, relationships: [...relationships.values()] };
  }

  /**
   * The subject's twins a query page at a time, each once: those linked directly (property, person
   * twin), then those linked by relationship that are not linked directly too. With `idsOnly`, rows
   * of `$dtId` (and the link property) instead of whole twins. Only the ids of twins linked by
   * relationship are kept, as a twin with two link relationships to the person comes twice.
   */
  private async *subjectTwinPages(subject: Subject, context: AdapterCallContext, idsOnly = false): AsyncGenerator<Twin[]> {
    const values = subjectValues(subject, this.holds);
    const property = this.property ? { path: this.property, values } : undefined;
    const top = this.property?.split('.')[0];
    yield* this.queryPages(twinsOfPerson(property, this.relationship ? subject.aadObjectId : undefined, idsOnly ? ['$dtId'] : undefined), context) as AsyncGenerator<Twin[]>;
    if (!this.relationship) return;
    const path = this.property?.split('.') ?? [];
    const linkedDirectly = (twin: Twin) => twin.$dtId === subject.aadObjectId || (path.length > 0 && values.includes(valueAt(twin, path) as string));
    const seen = new Set<string>();
    const columns = idsOnly ? ['$dtId', ...(top ? [top] : [])] : undefined;
    for await (const rows of this.queryPages(twinsRelatedTo(this.relationship, subject.aadObjectId, columns), context)) {
      const page: Twin[] = [];
      for (const row of rows) {
        const twin = idsOnly ? row as Twin : (row as { source: Twin }).source;
        if (linkedDirectly(twin) || seen.has(twin.$dtId)) continue;
        seen.add(twin.$dtId);
        page.push(twin);
      }
      yield page;
    }
  }

  /**
   * The relationships from (outgoing) or to (incoming) the subject's twins, as exported: batch by
   * batch of ids (a few batches in flight), in order. Incoming leaves out those from the subject's
   * own twins, which are outgoing already; its properties are the source's, so ids and name only.
   */
  private async *exportedRelationships(subject: Subject, direction: 'outgoing' | 'incoming', context: AdapterCallContext): AsyncGenerator<unknown> {
    const idPages = this.subjectTwinPages(subject, context, true);
    const batches = (async function* () {
      for await (const page of idPages) yield* relationshipsOf(direction, page.map((twin) => twin.$dtId));
    })();
    for await (const exported of mapOrdered(batches, BATCHES_IN_FLIGHT, context, (batch, batchContext) =>
      this.relationshipBatch(subject, direction, batch, batchContext))) {
      yield* exported;
    }
  }

  private async relationshipBatch(subject: Subject, direction: 'outgoing' | 'incoming', batch: IdBatch, context: AdapterCallContext): Promise<unknown[]> {
    const inBatch = new Set(batch.ids);
    const found = await this.rows([batch.query], context) as Relationship[];
    const farEnd = (r: Relationship) => (direction === 'outgoing' ? r.$targetId : r.$sourceId);
    const { own, others } = await this.ownersOf(subject, [...new Set(found.map(farEnd).filter((id) => !inBatch.has(id)))], context);
    const key = this.options.pseudonymKey;
    const shown = (id: string) => (others.has(id) ? pseudonymFor(id, key) : id);
    if (direction === 'outgoing') return found.map((r) => ({ ...r, $targetId: shown(r.$targetId) }));
    return found.filter((r) => !inBatch.has(r.$sourceId) && !own.has(r.$sourceId)).map((r) => ({
      // Its id was chosen on the source side and often spells the source twin's id.
      $relationshipId: others.has(r.$sourceId) ? pseudonymFor(r.$relationshipId, key) : r.$relationshipId,
      $sourceId: shown(r.$sourceId),
      $targetId: r.$targetId,
      $relationshipName: r.$relationshipName,
    }));
  }

  /**
   * Whose the twins (at the far ends of the subject's relationships) are, in one batched lookup:
   * `own` are the subject's (linked to them as the twin queries link them), `others` belong to
   * someone else (their link property names another person, they link by relationship to another
   * person, or they are another person's twin: the target of a link relationship). The rest are
   * no one's, such as a floor.
   */
  private async ownersOf(subject: Subject, ids: readonly string[], context: AdapterCallContext): Promise<{ own: Set<string>; others: Set<string> }> {
    const own = new Set<string>();
    const others = new Set<string>();
    if (ids.length === 0) return { own, others };
    const [linkValues, linkRelationships] = await Promise.all([
      this.property ? this.rows(linkPropertyOfTwins(this.property, ids), context) as Promise<Record<string, unknown>[]> : [],
      this.relationship ? this.rows(linkRelationshipsOf(this.relationship, ids), context) as Promise<Relationship[]> : [],
    ]);
    const path = this.property?.split('.') ?? [];
    const exact = subjectValues(subject, this.holds);
    const anyCase = new Set(exact.map((v) => v.toLowerCase()));
    for (const row of linkValues) {
      const value = valueAt(row, path);
      // The twin queries compare exactly; a differently cased address is no one else's either.
      if (typeof value === 'string' && exact.includes(value)) own.add(String(row.$dtId));
      else if (value !== undefined && !(typeof value === 'string' && anyCase.has(value.toLowerCase()))) others.add(String(row.$dtId));
    }
    if (this.relationship) {
      const farEnds = new Set(ids);
      if (farEnds.has(subject.aadObjectId)) own.add(subject.aadObjectId);
      for (const r of linkRelationships) {
        if (r.$targetId === subject.aadObjectId) {
          if (farEnds.has(r.$sourceId)) own.add(r.$sourceId);
          continue;
        }
        if (farEnds.has(r.$sourceId)) others.add(r.$sourceId);
        if (farEnds.has(r.$targetId)) others.add(r.$targetId);
      }
    }
    for (const id of own) others.delete(id);
    return { own, others };
  }

  /** Deletes the twin; when a relationship appeared since the query, deletes what the lists show and tries once more. */
  private async deleteTwin(id: string, context: AdapterCallContext): Promise<number> {
    try {
      await this.run('delete a twin', context, (options) => this.client.deleteDigitalTwin(id, options));
      return 0;
    } catch (error) {
      if (isNotFound(error)) return 0;
      if ((error as { code?: string }).code !== 'RelationshipsNotDeleted') throw error;
    }
    const late = await this.listedRelationships(id, context);
    await Promise.all(late.map(([sourceId, relationshipId]) => this.deleteRelationship(sourceId, relationshipId, context)));
    try {
      await this.run('delete a twin', context, (options) => this.client.deleteDigitalTwin(id, options));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return late.length;
  }

  /** Source and relationship ids of every relationship from or to the twin, from the list operations. */
  private async listedRelationships(id: string, context: AdapterCallContext): Promise<[string, string][]> {
    const found: [string, string][] = [];
    let outgoing: string | undefined;
    do {
      const page = await this.run('list relationships', context, (options) =>
        firstPage(this.client.listRelationships(id, options).byPage({ continuationToken: outgoing })));
      for (const r of (page.value ?? []) as Relationship[]) found.push([id, r.$relationshipId]);
      outgoing = page.nextLink;
    } while (outgoing);
    let incoming: string | undefined;
    do {
      const page = await this.run('list incoming relationships', context, (options) =>
        firstPage(this.client.listIncomingRelationships(id, options).byPage({ continuationToken: incoming })));
      for (const r of page.value ?? []) found.push([r.sourceId ?? '', r.relationshipId ?? '']);
      incoming = page.nextLink;
    } while (incoming);
    return found;
  }

  private async deleteRelationship(sourceId: string, relationshipId: string, context: AdapterCallContext): Promise<void> {
    try {
      await this.run('delete a relationship', context, (options) => this.client.deleteRelationship(sourceId, relationshipId, options));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** Replaces the link value, guarded by the twin's ETag; on a concurrent change, re-reads once. */
  private async correctLink(subject: Subject, twin: Twin, property: string, value: string, context: AdapterCallContext): Promise<void> {
    const patch = [{ op: 'replace', path: `/${property.split('.').join('/')}`, value }];
    const own = new Set(subjectValues(subject, this.holds).map((v) => v.toLowerCase()));
    let etag = typeof twin.$etag === 'string' ? twin.$etag : undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.run('correct a twin', context, (options) => this.client.updateDigitalTwin(twin.$dtId, patch, { ...options, ifMatch: etag }));
        return;
      } catch (error) {
        if (isNotFound(error)) return;
        if ((error as { statusCode?: number }).statusCode !== 412 || attempt > 0) throw error;
      }
      const current = await this.run('read a twin', context, (options) => this.client.getDigitalTwin(twin.$dtId, options));
      const held = valueAt(current.body, property.split('.'));
      if (typeof held !== 'string' || !own.has(held.toLowerCase())) return;
      etag = current.etag;
    }
  }

  /** Every result of the queries, run side by side (within the call policy's concurrency), each page by page. */
  private async rows(queries: readonly string[], context: AdapterCallContext): Promise<unknown[]> {
    const results = await Promise.all(queries.map(async (query) => {
      const found: unknown[] = [];
      for await (const page of this.queryPages(query, context)) found.push(...page);
      return found;
    }));
    return results.flat();
  }

  /** The pages of a query, one call each, so a retry repeats only the page that failed. */
  private async *queryPages(query: string, context: AdapterCallContext): AsyncGenerator<unknown[]> {
    let continuationToken: string | undefined;
    do {
      const page = await this.run('query twins', context, () =>
        firstPage(this.client.queryTwins(query, QUERY_PAGE_SIZE).byPage({ continuationToken })));
      yield page.value ?? [];
      continuationToken = page.continuationToken;
    } while (continuationToken);
  }

  /** One HTTP call through the call policy, with its abort signal on the request. */
  private run<T>(operation: string, context: AdapterCallContext, call: (options: { abortSignal: AbortSignal }) => Promise<T>): Promise<T> {
    return this.caller.call(operation, (signal) => withAbortSignal(signal, () => call({ abortSignal: signal })), context);
  }
}

/** The values a link property may hold for the subject: as Entra has them, and lower-cased (queries compare exactly). */
function subjectValues(subject: Subject, holds: DigitalTwinsLinkField): string[] {
  const value = holds === 'aadObjectId' ? subject.aadObjectId : holds === 'email' ? subject.email : subject.upn;
  return [...new Set([value, value.toLowerCase()])];
}

function relationshipName(name: string): string {
  if (name.includes('.')) throw new Error('A Digital Twins link relationship is one name, without dots.');
  return propertyPath(name);
}

async function firstPage<P>(pages: AsyncIterableIterator<P>): Promise<P> {
  const { value, done } = await pages.next();
  if (done) throw new Error('The Digital Twins client returned no page.');
  return value;
}

function valueAt(document: unknown, path: readonly string[]): unknown {
  let value = document;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
