import type { TokenCredential } from '@azure/core-auth';
import type { DigitalTwinsClient } from '@azure/digital-twins-core';
import { type AdapterCallContext, type DiscoveryResult, type ExportFile, type ItemOutcome, type ItemResult, type PlanItem, pseudonymFor, type ServiceAdapter, type StepReport, streamedArray, type Subject } from '../../dsr';
import { CallPolicy, ServiceCaller, isNotFound } from '../calls/callPolicy';
import { createDigitalTwinsClient, withAbortSignal } from './digitalTwinsClient';
import { relationshipAddress, relationshipPlanId } from './planIds';
import {
  linkPropertyOfTwins, linkRelationshipsOf, relationshipsOf, relationshipsTouching, twinsOfPerson, twinsRelatedTo, twinsRelatedToAny, twinsWithProperty, type IdBatch,
} from './twinQueries';
import { itemsOf, mapOrdered, nonEmpty } from '../exportStreams';
import { PageGuard } from '../calls/pageGuard';
import { propertyPath } from '../queryLiteral';
import { DEFAULT_COALESCE_WINDOW_MS } from '../../config';
import { SharedIdQuery, type IdQueryKind } from './sharedIdQuery';
import { SharedTwinQuery } from './sharedTwinQuery';
import { valueAt } from './valueAt';

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
  /** How long a subject's first twin query waits to be shared with other requests' (DSR_COALESCE_WINDOW_MS). */
  coalesceWindowMs?: number;
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

/** The subject's twins (id → why each is theirs, a plan's reason code) and every relationship from or to them. */
interface Holdings {
  twins: Map<string, string>;
  relationships: Relationship[];
}

/** What deleting one twin did, and the relationships added since discovery that had to go with it. */
interface TwinDeletion {
  result: ItemResult;
  late: [sourceId: string, relationshipId: string][];
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
 * time, and nothing grows with the subject's data. The requests in flight at once share these
 * queries: each kind goes out as one `IN [...]` query over the ids of all of them (a large
 * subject's full batches go alone), and each request gets back the rows of its own
 * (SharedTwinQuery, SharedIdQuery). Query results can lag writes by a few seconds; erasure
 * therefore also deals with a relationship the query did not show yet (the twin's delete answers
 * `RelationshipsNotDeleted`, and the twin's relationships are then listed with the strongly
 * consistent list operations and deleted before one more try).
 *
 * Discovery returns the plan (each twin and relationship with why it matched); erase and rectify
 * given a plan act on its ids alone, and report what names the subject now but was not planned,
 * found with one id query, as delta.
 */
export class DigitalTwinsAdapter implements ServiceAdapter {
  readonly service = 'digitalTwins' as const;
  private readonly client: DigitalTwinsClient;
  private readonly caller: ServiceCaller;
  private readonly property: string | undefined;
  private readonly holds: DigitalTwinsLinkField;
  private readonly relationship: string | undefined;
  private readonly shared: SharedTwinQuery;
  /** The queries by twin ids after the first, shared the same way (see {@link SharedIdQuery}). */
  private readonly byIds: {
    outgoing: SharedIdQuery;
    incoming: SharedIdQuery;
    touching: SharedIdQuery;
    linkValues?: SharedIdQuery;
    linkRelationships?: SharedIdQuery;
    relatedTo?: SharedIdQuery;
  };

  constructor(private readonly options: DigitalTwinsAdapterOptions) {
    const link = options.link ?? {};
    this.property = link.property === null ? undefined : propertyPath(link.property ?? DEFAULT_PROPERTY);
    this.holds = link.holds ?? 'aadObjectId';
    this.relationship = link.relationship === undefined ? undefined : relationshipName(link.relationship);
    if (!this.property && !this.relationship) throw new Error('A Digital Twins link needs a property, a relationship or both.');
    this.client = createDigitalTwinsClient(options.endpoint, options.credential);
    this.caller = new ServiceCaller('digitalTwins', options.policy);
    this.shared = new SharedTwinQuery((query) => this.firstQueryPage(query), options.coalesceWindowMs ?? DEFAULT_COALESCE_WINDOW_MS);
    const share = (kind: IdQueryKind) => new SharedIdQuery(kind, (query) => this.firstQueryPage(query));
    const ends = (row: Record<string, unknown>) => [String(row.$sourceId), String(row.$targetId)];
    const { property, relationship } = this;
    this.byIds = {
      outgoing: share({ queriesFor: (ids) => relationshipsOf('outgoing', ids), idsOf: (row) => [String(row.$sourceId)] }),
      incoming: share({ queriesFor: (ids) => relationshipsOf('incoming', ids), idsOf: (row) => [String(row.$targetId)] }),
      touching: share({ queriesFor: relationshipsTouching, idsOf: ends }),
      ...(property && { linkValues: share({ queriesFor: (ids) => linkPropertyOfTwins(property, ids), idsOf: (row) => [String(row.$dtId)] }) }),
      ...(relationship && {
        linkRelationships: share({ queriesFor: (ids) => linkRelationshipsOf(relationship, ids), idsOf: ends }),
        relatedTo: share({ queriesFor: (ids) => twinsRelatedToAny(relationship, ids), idsOf: (row) => [String((row.target as Twin).$dtId)] }),
      }),
    };
  }

  /**
   * Counts, and the plan: each twin with why it is the subject's (`property:<path>`, `personTwin`,
   * `relationship:<name>`), each relationship from (`outgoing`) or to (`incoming`) one of them. An
   * empty plan when nothing is found, so that execution touches nothing that appears later.
   */
  async discover(subject: Subject, context: AdapterCallContext): Promise<DiscoveryResult> {
    const { twins, relationships } = await this.holdings(subject, context);
    if (twins.size === 0) return { count: 0, plan: [], items: [] };
    return {
      count: twins.size + relationships.length,
      plan: [
        ...[...twins].map(([id, reason]) => ({ type: 'twin', id, reason })),
        // An incoming relationship's id names its source twin, which may be someone else's: it is
        // how Digital Twins addresses the relationship, so execution needs it. The plan is stored
        // with the request and shown only to approvers in their own chat, never logged or posted.
        ...relationships.map((r) => ({
          type: 'relationship', id: relationshipPlanId(r.$sourceId, r.$relationshipId), reason: twins.has(r.$sourceId) ? 'outgoing' : 'incoming',
        })),
      ],
      items: [{ code: 'digitalTwins.twins', count: twins.size }, { code: 'digitalTwins.relationships', count: relationships.length }],
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

  /** With a plan, deletes what it lists and nothing else; without one (a request discovered before plans), what is found now. */
  async erase(subject: Subject, context: AdapterCallContext): Promise<StepReport> {
    return context.plan ? this.erasePlanned(subject, context.plan, context) : this.eraseFound(subject, context);
  }

  private async eraseFound(subject: Subject, context: AdapterCallContext): Promise<StepReport> {
    const { twins, relationships } = await this.holdings(subject, context);
    await Promise.all(relationships.map((r) => this.deleteRelationship(r.$sourceId, r.$relationshipId, context)));
    const deletions = await Promise.all([...twins.keys()].map((id) => this.deleteTwin(id, context)));
    const relationshipCount = relationships.length + deletions.reduce((sum, deletion) => sum + deletion.late.length, 0);
    return {
      summary: { code: 'digitalTwins.deleted', twins: twins.size, relationships: relationshipCount },
      count: twins.size + relationshipCount,
    };
  }

  /**
   * Deletes the planned relationships, then the planned twins, each by its id: nothing is looked
   * up again. Beside that, one id query finds what names the subject now but is not planned: the
   * delta, left alone. A relationship added to a planned twin since discovery goes with the twin
   * (see {@link deleteTwin}) and is reported beside the planned items.
   */
  private async erasePlanned(subject: Subject, plan: readonly PlanItem[], context: AdapterCallContext): Promise<StepReport> {
    const relationships = plan.filter((item) => item.type === 'relationship');
    const twins = plan.filter((item) => item.type === 'twin');
    // Every address first: a malformed plan fails before anything is deleted.
    const addresses = relationships.map((item) => relationshipAddress(item.id));
    const [delta, relationshipResults] = await Promise.all([
      this.unplannedTwins(subject, new Set(twins.map((item) => item.id)), context),
      Promise.all(addresses.map(([sourceId, relationshipId]) => this.deleteRelationship(sourceId, relationshipId, context))),
    ]);
    const deletions = await Promise.all(twins.map((item) => this.deleteTwin(item.id, context)));
    const results = new Map<PlanItem, ItemResult>([
      ...relationships.map((item, i) => [item, relationshipResults[i]] as const),
      ...twins.map((item, i) => [item, deletions[i].result] as const),
    ]);
    const items: ItemOutcome[] = [
      ...plan.map((item) => ({ type: item.type, id: item.id, result: results.get(item) ?? 'kept' })),
      ...lateRelationships(deletions, new Set(relationships.map((item) => item.id))),
    ];
    const removed = (type: string) => items.filter((item) => item.type === type && item.result === 'removed').length;
    return {
      summary: { code: 'digitalTwins.deleted', twins: removed('twin'), relationships: removed('relationship') },
      count: removed('twin') + removed('relationship'),
      items,
      delta,
    };
  }

  /** Twins that name the subject now but are not among `planned`, from the id queries alone; nothing is touched. */
  private async unplannedTwins(subject: Subject, planned: ReadonlySet<string>, context: AdapterCallContext): Promise<PlanItem[]> {
    const delta: PlanItem[] = [];
    for await (const twin of itemsOf(this.subjectTwinPages(subject, context, true))) {
      if (!planned.has(twin.$dtId)) delta.push({ type: 'twin', id: twin.$dtId, reason: this.linkReason(subject, twin) });
    }
    return delta;
  }

  /**
   * Replaces the subject's value in the link property. With a plan, of the planned twins only
   * (each checked to name the subject still: one that no longer does is kept), and the twins
   * whose link names the subject now but are not planned are reported as delta, untouched.
   */
  async rectify(subject: Subject, corrections: Record<string, string>, context: AdapterCallContext): Promise<StepReport> {
    const key = CORRECTION_KEY[this.holds];
    if (!this.property || key === undefined) return { summary: { code: 'digitalTwins.linkedByObjectId' }, count: 0, ...allKept(context.plan) };
    const corrected = corrections[key];
    if (corrected === undefined) return { summary: { code: 'digitalTwins.noCorrection' }, count: 0, ...allKept(context.plan) };
    const property = this.property;
    const twins = await this.rows([twinsWithProperty(property, subjectValues(subject, this.holds))], context) as Twin[];
    if (context.plan) return this.rectifyPlanned(subject, twins, context.plan, property, corrected, context);
    await Promise.all(twins.map((twin) => this.correctLink(subject, twin.$dtId, etagOf(twin), property, corrected, context)));
    return { summary: { code: 'digitalTwins.corrected', twins: twins.length }, count: twins.length };
  }

  /** `linked` are the twins whose link names the subject now: they give the ETags of the planned ones, and the delta. */
  private async rectifyPlanned(
    subject: Subject, linked: readonly Twin[], plan: readonly PlanItem[], property: string, value: string, context: AdapterCallContext,
  ): Promise<StepReport> {
    const planned = new Set(plan.filter((item) => item.type === 'twin').map((item) => item.id));
    const etags = new Map(linked.map((twin) => [twin.$dtId, etagOf(twin)]));
    const items = await Promise.all(plan.map(async (item): Promise<ItemOutcome> => ({
      type: item.type,
      id: item.id,
      result: item.type === 'twin' ? await this.correctLink(subject, item.id, etags.get(item.id), property, value, context) : 'kept',
    })));
    const changed = items.filter((item) => item.result === 'changed').length;
    return {
      summary: { code: 'digitalTwins.corrected', twins: changed },
      count: changed,
      items,
      delta: linked.filter((twin) => !planned.has(twin.$dtId)).map((twin) => ({ type: 'twin', id: twin.$dtId, reason: this.linkReason(subject, twin) })),
    };
  }

  /** The subject's twins (by property and by relationship) and every relationship from or to them. */
  private async holdings(subject: Subject, context: AdapterCallContext): Promise<Holdings> {
    const [direct, related] = await Promise.all([allOf(this.directTwinPages(subject, context)), allOf(this.relatedTwinPages(subject, context))]);
    const twins = new Map<string, string>();
    for (const twin of [...direct, ...related]) twins.set(twin.$dtId, this.linkReason(subject, twin));
    const relationships = new Map<string, Relationship>();
    for (const r of await this.rowsByIds(this.byIds.touching, [...twins.keys()], context) as Relationship[]) {
      relationships.set(JSON.stringify([r.$sourceId, r.$relationshipId]), r);
    }
    return { twins, relationships: [...relationships.values()] };
  }

  /**
   * The subject's twins a query page at a time, each once: those linked directly (property, person
   * twin), then those linked by relationship that are not linked directly too. With `idsOnly`, rows
   * of `$dtId` and the link property's top-level property (enough for {@link linkReason}) instead
   * of whole twins. Only the ids of twins linked by relationship are kept, as a twin with two link
   * relationships to the person comes twice.
   */
  private async *subjectTwinPages(subject: Subject, context: AdapterCallContext, idsOnly = false): AsyncGenerator<Twin[]> {
    const top = this.property?.split('.')[0];
    const columns = idsOnly ? ['$dtId', ...(top ? [top] : [])] : undefined;
    yield* this.directTwinPages(subject, context, columns);
    const seen = new Set<string>();
    for await (const twins of this.relatedTwinPages(subject, context, columns)) {
      const page: Twin[] = [];
      for (const twin of twins) {
        if (this.directLink(subject, twin) !== undefined || seen.has(twin.$dtId)) continue;
        seen.add(twin.$dtId);
        page.push(twin);
      }
      yield page;
    }
  }

  /**
   * The twins linked to the subject's person twin by the link relationship (none without one), a
   * page at a time: from a query shared with other requests in flight (whole twins), or else the
   * subject's own, page by page (with `columns`, only those of each twin).
   */
  private async *relatedTwinPages(subject: Subject, context: AdapterCallContext, columns?: readonly string[]): AsyncGenerator<Twin[]> {
    if (!this.relationship || !this.byIds.relatedTo) return;
    const shared = await this.byIds.relatedTo.rowsFor([subject.aadObjectId]);
    if (shared.alone.length === 0) {
      yield shared.rows.map((row) => row.source as Twin);
      return;
    }
    for await (const rows of this.queryPages(twinsRelatedTo(this.relationship, subject.aadObjectId, columns), context)) {
      yield rows.map((row) => (columns ? row as Twin : (row as { source: Twin }).source));
    }
  }

  /**
   * The twins the subject holds directly, a page at a time: the first page from a query shared
   * with the subjects of other requests in flight; if that cannot serve them all (it has more
   * pages), the subject's own query, page by page.
   */
  private async *directTwinPages(subject: Subject, context: AdapterCallContext, columns?: readonly string[]): AsyncGenerator<Twin[]> {
    const link = {
      ...(this.property && { property: { path: this.property, values: subjectValues(subject, this.holds) } }),
      ...(this.relationship && { personTwinId: subject.aadObjectId }),
    };
    const shared = await this.shared.twinsOf(link, columns);
    if (!shared) {
      yield* this.queryPages(twinsOfPerson(link.property, link.personTwinId, columns), context) as AsyncGenerator<Twin[]>;
      return;
    }
    yield shared.rows as Twin[];
    if (shared.next) yield* this.queryPages(shared.next.query, context, shared.next.continuationToken) as AsyncGenerator<Twin[]>;
  }

  /** The first page of a query shared by several requests: under the call policy, but no one request's abort signal. */
  private async firstQueryPage(query: string): Promise<{ rows: Record<string, unknown>[]; continuationToken?: string }> {
    const page = await this.run('query twins', undefined, () => firstPage(this.client.queryTwins(query, QUERY_PAGE_SIZE).byPage()));
    return { rows: (page.value ?? []) as Record<string, unknown>[], ...(page.continuationToken && { continuationToken: page.continuationToken }) };
  }

  /**
   * Why a twin found by the twin queries is the subject's, as a plan's reason code: its direct
   * link, else the link relationship to the person twin (the only other way the queries find it).
   */
  private linkReason(subject: Subject, twin: Twin): string {
    return this.directLink(subject, twin) ?? `relationship:${this.relationship}`;
  }

  /** `personTwin` for the twin standing for the subject, `property:<path>` where the link property names them; else undefined. */
  private directLink(subject: Subject, twin: Twin): string | undefined {
    if (this.relationship && twin.$dtId === subject.aadObjectId) return 'personTwin';
    // The queries compare exactly, with the values as Entra has them and lower-cased.
    const held = this.property ? valueAt(twin, this.property.split('.')) : undefined;
    if (typeof held === 'string' && subjectValues(subject, this.holds).includes(held)) return `property:${this.property}`;
    return undefined;
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
    const found = await this.rowsByIds(this.byIds[direction], batch.ids, context) as Relationship[];
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
      this.byIds.linkValues ? this.rowsByIds(this.byIds.linkValues, ids, context) as Promise<Record<string, unknown>[]> : [],
      this.byIds.linkRelationships ? this.rowsByIds(this.byIds.linkRelationships, ids, context) as Promise<Relationship[]> : [],
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

  /**
   * Deletes the twin; when a relationship appeared since it was found, deletes what the lists show
   * and tries once more. Digital Twins refuses to delete a twin that still has a relationship, and
   * a relationship cannot outlive either of its twins: one added after discovery (or approval) is
   * deleted with the twin, as otherwise anyone able to add a relationship could block an erasure.
   */
  private async deleteTwin(id: string, context: AdapterCallContext): Promise<TwinDeletion> {
    try {
      await this.run('delete a twin', context, (options) => this.client.deleteDigitalTwin(id, options));
      return { result: 'removed', late: [] };
    } catch (error) {
      if (isNotFound(error)) return { result: 'alreadyGone', late: [] };
      if ((error as { code?: string }).code !== 'RelationshipsNotDeleted') throw error;
    }
    const late = await this.listedRelationships(id, context);
    await Promise.all(late.map(([sourceId, relationshipId]) => this.deleteRelationship(sourceId, relationshipId, context)));
    try {
      await this.run('delete a twin', context, (options) => this.client.deleteDigitalTwin(id, options));
      return { result: 'removed', late };
    } catch (error) {
      if (!isNotFound(error)) throw error;
      return { result: 'alreadyGone', late };
    }
  }

  /** Source and relationship ids of every relationship from or to the twin, from the list operations. */
  private async listedRelationships(id: string, context: AdapterCallContext): Promise<[string, string][]> {
    const found: [string, string][] = [];
    const outgoingGuard = new PageGuard('digitalTwins', 'list relationships');
    let outgoing: string | undefined;
    do {
      const page = await this.run('list relationships', context, (options) =>
        firstPage(this.client.listRelationships(id, options).byPage({ continuationToken: outgoing })));
      for (const r of (page.value ?? []) as Relationship[]) found.push([id, r.$relationshipId]);
      outgoing = outgoingGuard.follow(page.nextLink);
    } while (outgoing);
    const incomingGuard = new PageGuard('digitalTwins', 'list incoming relationships');
    let incoming: string | undefined;
    do {
      const page = await this.run('list incoming relationships', context, (options) =>
        firstPage(this.client.listIncomingRelationships(id, options).byPage({ continuationToken: incoming })));
      for (const r of page.value ?? []) found.push([r.sourceId ?? '', r.relationshipId ?? '']);
      incoming = incomingGuard.follow(page.nextLink);
    } while (incoming);
    return found;
  }

  private async deleteRelationship(sourceId: string, relationshipId: string, context: AdapterCallContext): Promise<ItemResult> {
    try {
      await this.run('delete a relationship', context, (options) => this.client.deleteRelationship(sourceId, relationshipId, options));
      return 'removed';
    } catch (error) {
      if (!isNotFound(error)) throw error;
      return 'alreadyGone';
    }
  }

  /**
   * Replaces the link value, guarded by the twin's ETag as the query returned it, or else as read
   * now; on a concurrent change, re-reads once. A twin whose link no longer names the subject is
   * kept, one no longer there is already gone.
   */
  private async correctLink(
    subject: Subject, id: string, queriedEtag: string | undefined, property: string, value: string, context: AdapterCallContext,
  ): Promise<ItemResult> {
    const patch = [{ op: 'replace', path: `/${property.split('.').join('/')}`, value }];
    let guard: { etag?: string } | undefined = queriedEtag === undefined ? undefined : { etag: queriedEtag };
    for (let attempt = 0; ; attempt++) {
      if (!guard) {
        const read = await this.readLink(subject, id, property, context);
        if (read === 'kept' || read === 'alreadyGone') return read;
        guard = read;
      }
      try {
        await this.run('correct a twin', context, (options) => this.client.updateDigitalTwin(id, patch, { ...options, ifMatch: guard?.etag }));
        return 'changed';
      } catch (error) {
        if (isNotFound(error)) return 'alreadyGone';
        if ((error as { statusCode?: number }).statusCode !== 412 || attempt > 0) throw error;
      }
      guard = undefined;
    }
  }

  /** The twin's ETag if its link still names the subject (in any case); else `kept`, or `alreadyGone` if it is not there. */
  private async readLink(subject: Subject, id: string, property: string, context: AdapterCallContext): Promise<{ etag?: string } | 'kept' | 'alreadyGone'> {
    let current;
    try {
      current = await this.run('read a twin', context, (options) => this.client.getDigitalTwin(id, options));
    } catch (error) {
      if (isNotFound(error)) return 'alreadyGone';
      throw error;
    }
    const held = valueAt(current.body, property.split('.'));
    const own = new Set(subjectValues(subject, this.holds).map((v) => v.toLowerCase()));
    return typeof held === 'string' && own.has(held.toLowerCase()) ? { etag: current.etag } : 'kept';
  }

  /**
   * The rows of a query by twin ids: from the queries shared with other requests, and for the ids
   * those could not serve, from the request's own queries, page by page.
   */
  private async rowsByIds(shared: SharedIdQuery, ids: readonly string[], context: AdapterCallContext): Promise<unknown[]> {
    const { rows, alone } = await shared.rowsFor(ids);
    return alone.length === 0 ? rows : [...rows, ...(await this.rows(shared.queriesFor(alone), context))];
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
  private async *queryPages(query: string, context: AdapterCallContext, from?: string): AsyncGenerator<unknown[]> {
    const guard = new PageGuard('digitalTwins', 'query twins');
    let continuationToken = from === undefined ? undefined : guard.follow(from);
    do {
      const page = await this.run('query twins', context, () =>
        firstPage(this.client.queryTwins(query, QUERY_PAGE_SIZE).byPage({ continuationToken })));
      yield page.value ?? [];
      continuationToken = guard.follow(page.continuationToken);
    } while (continuationToken);
  }

  /** One HTTP call through the call policy, with its abort signal on the request. */
  private run<T>(operation: string, context: AdapterCallContext | undefined, call: (options: { abortSignal: AbortSignal }) => Promise<T>): Promise<T> {
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

function etagOf(twin: Twin): string | undefined {
  return typeof twin.$etag === 'string' ? twin.$etag : undefined;
}

/** With a plan, every planned item as kept: the change touched none of them. */
function allKept(plan: readonly PlanItem[] | undefined): Pick<StepReport, 'items' | 'delta'> {
  return plan ? { items: plan.map((item) => ({ type: item.type, id: item.id, result: 'kept' })), delta: [] } : {};
}

/** Every twin of the pages. */
async function allOf(pages: AsyncIterable<Twin[]>): Promise<Twin[]> {
  const twins: Twin[] = [];
  for await (const page of pages) twins.push(...page);
  return twins;
}

async function firstPage<P>(pages: AsyncIterableIterator<P>): Promise<P> {
  const { value, done } = await pages.next();
  if (done) throw new Error('The Digital Twins client returned no page.');
  return value;
}

/**
 * The relationships deleted with planned twins (see `deleteTwin`), each once: two planned twins
 * related to each other both list the relationship between them.
 */
function lateRelationships(deletions: readonly TwinDeletion[], planned: ReadonlySet<string>): ItemOutcome[] {
  const ids = new Set(deletions.flatMap((deletion) => deletion.late.map(([sourceId, relationshipId]) => relationshipPlanId(sourceId, relationshipId))));
  return [...ids].filter((id) => !planned.has(id)).map((id) => ({ type: 'relationship', id, result: 'removed' }));
}
