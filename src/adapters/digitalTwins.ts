import type { TokenCredential } from '@azure/core-auth';
import type { DigitalTwinsClient } from '@azure/digital-twins-core';
import { pseudonymFor } from '../dsr/pseudonyms';
import type { AdapterCallContext, ExportFile, ServiceAdapter, StepReport } from '../dsr/serviceAdapter';
import type { DiscoveryResult, Subject } from '../dsr/types';
import { CallPolicy, ServiceCaller, isNotFound } from './callPolicy';
import { createDigitalTwinsClient, withAbortSignal } from './digitalTwins/digitalTwinsClient';
import {
  linkPropertyOfTwins, linkRelationshipsOf, relationshipsTouching, twinsOfPerson, twinsRelatedTo, twinsWithProperty,
} from './digitalTwins/twinQueries';
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

/**
 * Azure Digital Twins through `@azure/digital-twins-core`: the twins whose link (a property, a
 * relationship to the person's twin, or both) names the subject, the person twin where
 * relationships are the link, and their relationships.
 *
 * Finding is done with server-side queries only, page by page (1,000 a page), never by reading
 * every twin: the twins by their link, then their relationships in both directions with one
 * `FROM RELATIONSHIPS ... IN [...]` query per batch of twins. Query results can lag writes by a
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

  async *export(subject: Subject, context: AdapterCallContext): AsyncIterable<ExportFile> {
    const { twins, relationships } = await this.holdings(subject, context);
    if (twins.size === 0) return;
    const others = await this.otherPeoplesTwins(subject, twins, relationships, context);
    const shown = (id: string) => (others.has(id) ? pseudonymFor(id, this.options.pseudonymKey) : id);
    yield { path: 'twins.json', content: [...twins.values()] };
    yield {
      path: 'relationships.json',
      content: {
        outgoing: relationships.filter((r) => twins.has(r.$sourceId)).map((r) => ({ ...r, $targetId: shown(r.$targetId) })),
        // Properties of an incoming relationship are its source's, which may be someone else's: ids
        // and name only. Its id was chosen on the source side and often spells the source twin's id.
        incoming: relationships.filter((r) => twins.has(r.$targetId) && !twins.has(r.$sourceId)).map((r) => ({
          $relationshipId: others.has(r.$sourceId) ? pseudonymFor(r.$relationshipId, this.options.pseudonymKey) : r.$relationshipId,
          $sourceId: shown(r.$sourceId),
          $targetId: r.$targetId,
          $relationshipName: r.$relationshipName,
        })),
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
   * Ids of twins at the far end of the subject's relationships that belong to someone else: their
   * link property names another person, they link by relationship to another person, or they are
   * another person's twin (the target of a link relationship).
   */
  private async otherPeoplesTwins(
    subject: Subject, twins: ReadonlyMap<string, Twin>, relationships: readonly Relationship[], context: AdapterCallContext,
  ): Promise<Set<string>> {
    const farEnds = new Set<string>();
    for (const r of relationships) {
      for (const id of [r.$sourceId, r.$targetId]) {
        if (!twins.has(id)) farEnds.add(id);
      }
    }
    const others = new Set<string>();
    if (farEnds.size === 0) return others;
    const [linkValues, linkRelationships] = await Promise.all([
      this.property ? this.rows(linkPropertyOfTwins(this.property, [...farEnds]), context) as Promise<Record<string, unknown>[]> : [],
      this.relationship ? this.rows(linkRelationshipsOf(this.relationship, [...farEnds]), context) as Promise<Relationship[]> : [],
    ]);
    const path = this.property?.split('.') ?? [];
    const own = new Set(subjectValues(subject, this.holds).map((v) => v.toLowerCase()));
    for (const row of linkValues) {
      const value = valueAt(row, path);
      if (value !== undefined && !(typeof value === 'string' && own.has(value.toLowerCase()))) others.add(String(row.$dtId));
    }
    for (const r of linkRelationships) {
      if (r.$targetId === subject.aadObjectId) continue;
      if (farEnds.has(r.$sourceId)) others.add(r.$sourceId);
      if (farEnds.has(r.$targetId)) others.add(r.$targetId);
    }
    return others;
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
