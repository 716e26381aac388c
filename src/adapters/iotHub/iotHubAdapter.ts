import type { TokenCredential } from '@azure/core-auth';
import { type AdapterCallContext, type DiscoveryLine, type DiscoveryResult, type ExportFile, type ItemOutcome, type ItemResult, type PlanItem, type ServiceAdapter, ServiceError, statusCodeOf, type StepReport, type StepSummary, streamedArray, type Subject } from '../../dsr';
import type DataLoader from 'dataloader';
import { ServiceCaller, type CallPolicy } from '../calls/callPolicy';
import { coalescedReads } from '../calls/readCoalescer';
import { untilAborted } from '../calls/untilAborted';
import { mapOrdered, nonEmpty } from '../exportStreams';
import { IotHubApi, type TwinJson } from './iotHubApi';
import { ownersQueries, ownerTagNamesSubject, ownerTagSpellings } from './ownerMatch';
import { createRegistryClient } from './registryClient';
import { removalPatch, valueAtPath, withoutCredentials } from './twinPaths';
import { propertyPath } from '../queryLiteral';

/** A device DPS provisioned for the subject, and the hub it was assigned to. */
export interface DpsDevice {
  deviceId: string;
  /** The hub's host name as the registration record names it. */
  assignedHub: string;
}

/** How the bot reaches one IoT hub and what counts as the subject's there. */
export interface IotHubAdapterOptions {
  /**
   * The hub's host name as DPS names it in a registration's `assignedHub`, e.g.
   * `contoso-hub.azure-devices.net`. Only DPS devices assigned to this host count.
   */
  hostName: string;
  /**
   * Where to connect, `host` or `host:port` (no scheme): in Azure the hub's host name (the
   * default); in the sandbox `127.0.0.1:4050`.
   */
  endpoint?: string;
  /**
   * Entra credential (managed identity or app registration) with the data-plane role
   * "IoT Hub Registry Contributor" (or Twin Contributor for `clearPersonalData`); tokens are asked
   * for `https://iothubs.azure.net/.default`. Give this or `connectionString`.
   */
  credential?: TokenCredential;
  /**
   * A service connection string (`HostName=...;SharedAccessKeyName=...;SharedAccessKey=...`) of a
   * shared access policy with registry read and write, instead of `credential`. The signature is
   * made for its HostName; requests still go to `endpoint`. Prefer `credential`.
   */
  connectionString?: string;
  /** Time-out, retries and concurrency of the calls; defaults to `DEFAULT_CALL_POLICY`. */
  policy?: Partial<CallPolicy>;
  /**
   * The twin tag naming a device's owner, a dotted path under `tags` (`owner`, `people.owner`).
   * Default `owner`. Its value is the owner's object id or e-mail address; see `ownerTagSpellings`
   * for how e-mail addresses are matched given IoT Hub's case-sensitive comparison.
   */
  ownerTag?: string;
  /**
   * What erasure does with the subject's devices. `delete` (default) deletes each device identity
   * with its twin. `clearPersonalData` keeps the device in service and patches its twin: the owner
   * tag and the `personalTags` and `personalDesiredProperties` are removed. Reported properties
   * belong to the device and cannot be cleared from the service side.
   */
  eraseMode?: 'delete' | 'clearPersonalData';
  /** Tag paths (under `tags`) holding personal data, cleared by `clearPersonalData`. */
  personalTags?: string[];
  /** Desired property paths (under `properties.desired`) holding personal data, cleared by `clearPersonalData`. */
  personalDesiredProperties?: string[];
  /**
   * The devices DPS provisioned for the subject (from the DPS adapter): a device behind the
   * subject's enrollment is theirs even when its twin carries no owner tag. `shared` (discovery,
   * export) may answer from an enrollment listing other requests share; `now` (erasure) lists afresh.
   */
  dpsDevices?: (subject: Subject, context: AdapterCallContext, reading: 'shared' | 'now') => Promise<DpsDevice[]>;
  /** Twins per query page (`x-ms-max-item-count`); default 100. */
  pageSize?: number;
  /**
   * How long an owner query waits for other requests' owners to join it (DSR_COALESCE_WINDOW_MS);
   * default 0: only asks made at the same moment share a query.
   */
  coalesceWindowMs?: number;
  /** The most owners one query asks for; default {@link OWNERS_PER_QUERY}. */
  ownersPerQuery?: number;
}

/** One request's ask for the twins tagged with its subject, answered from a query shared with others. */
interface OwnerAsk {
  subject: Subject;
  context: AdapterCallContext;
}

/** A device of the subject's and why it counts as theirs. */
interface SubjectDevice {
  twin: TwinJson;
  linkedBy: LinkedBy;
}

type LinkedBy = 'ownerTag' | 'dpsRegistration';

/** Whether the DPS lookup may share an enrollment listing with other requests (discovery, export) or must list now (erasure). */
type DpsReading = 'shared' | 'now';

/**
 * What one conditional change of a device came to: sent; the device was gone; it is no longer the
 * subject's; or (clearing) none of the fields to clear was on it.
 */
type ChangeOutcome = 'done' | 'gone' | 'notTheirs' | 'nothingToClear';

/**
 * The device identity's fields that its twin carries (IoT Hub's Twin definition), which is all of
 * the identity a person has a claim to: what the registry read adds (generation id, the last
 * change of connection state) is not about them, and costs one call per device against the
 * registry's 100 operations a minute (S1), where the twin came with the shared owner query.
 */
const TWIN_IDENTITY_FIELDS = ['deviceId', 'status', 'statusReason', 'statusUpdateTime', 'connectionState', 'lastActivityTime', 'cloudToDeviceMessageCount', 'authenticationType', 'capabilities'] as const;

function identityOf(twin: TwinJson): Record<string, unknown> {
  return Object.fromEntries(TWIN_IDENTITY_FIELDS.filter((field) => twin[field] !== undefined).map((field) => [field, twin[field]]));
}

/** The plan's reason for a device that matched through DPS; a tagged device's is `tag:<owner tag>`. */
const DPS_REASON = 'dpsRegistration';

const DEFAULT_OWNER_TAG = 'owner';
const DEFAULT_PAGE_SIZE = 100;
/**
 * Owners asked for in one twin query. An owner is asked for by up to 9 spellings (ownerTagSpellings);
 * with an object id and e-mail addresses of usual length that is about 300 characters, so 24
 * owners stay well inside IoT Hub's 8 KB query; longer identifiers are packed into more queries.
 */
export const OWNERS_PER_QUERY = 24;
/**
 * Owner queries running at once (each page of one counts against IoT Hub's 20 queries/min on S1);
 * a batch ready meanwhile waits and keeps gathering owners, so a throttled hub gets full queries.
 * One: with two, the owners waiting split over three batches (two waiting for the budget, one
 * gathering). The wave of 1,000 at the real limits made 0.2 queries per request with two, 0.14
 * with one (bench/README.md, wave).
 */
const OWNER_QUERIES_IN_FLIGHT = 1;
/** Twins of DPS-provisioned devices an export reads at once; the call policy bounds the calls themselves. */
const TWIN_READS_IN_FLIGHT = 16;
/** Tries of a conditional write whose etag went stale between read and write. */
const CONDITIONAL_TRIES = 3;

/**
 * Azure IoT Hub through azure-iothub's Registry: the device identities and twins tied to the
 * subject, found by a paged twin query on the owner tag (never a listing of all devices; one
 * `IN [...]` query for the owners of the requests in flight together) and by the devices DPS
 * provisioned for them. Export writes `devices.json` without credentials; erasure
 * deletes each device (If-Match its etag) or clears its personal twin fields. No `rectify`: a
 * device has nothing a person corrects; no `restrict`: restriction is export, then erase.
 */
export class IotHubAdapter implements ServiceAdapter {
  readonly service = 'iotHub' as const;
  private readonly api: IotHubApi;
  private readonly ownerTag: string;
  private readonly personalTags: string[];
  private readonly personalDesiredProperties: string[];
  /** The owner queries of the requests in flight, one `IN [...]` query for many owners. */
  private readonly taggedReads: DataLoader<OwnerAsk, Map<string, TwinJson>>;

  constructor(private readonly options: IotHubAdapterOptions) {
    this.ownerTag = propertyPath(options.ownerTag ?? DEFAULT_OWNER_TAG);
    this.personalTags = (options.personalTags ?? []).map(propertyPath);
    this.personalDesiredProperties = (options.personalDesiredProperties ?? []).map(propertyPath);
    if (!options.credential === !options.connectionString) {
      throw new Error('IotHubAdapter needs exactly one of credential and connectionString');
    }
    const client = createRegistryClient({
      endpoint: options.endpoint ?? options.hostName,
      credential: options.credential,
      connectionString: options.connectionString,
    });
    this.api = new IotHubApi(client, new ServiceCaller('iotHub', options.policy));
    this.taggedReads = coalescedReads((asks) => this.queryOwners(asks), {
      windowMs: options.coalesceWindowMs ?? 0,
      maxKeys: options.ownersPerQuery ?? OWNERS_PER_QUERY,
      maxBatchesInFlight: OWNER_QUERIES_IN_FLIGHT,
    });
  }

  async discover(subject: Subject, context: AdapterCallContext): Promise<DiscoveryResult> {
    const devices = await this.subjectDevices(subject, context, 'shared');
    const byTag = devices.filter((device) => device.linkedBy === 'ownerTag').length;
    const byDps = devices.length - byTag;
    const items: DiscoveryLine[] = [];
    if (byTag > 0) items.push({ code: 'iotHub.taggedDevices', count: byTag });
    if (byDps > 0) items.push({ code: 'iotHub.dpsDevices', count: byDps });
    // What erasure will do matters to the approvers of an erasure (or a restriction, which ends in one).
    if (devices.length > 0 && (context.kind === 'erase' || context.kind === 'restrict')) {
      items.push({ code: 'iotHub.erasure', clearsPersonalData: this.options.eraseMode === 'clearPersonalData' });
    }
    return { count: devices.length, plan: devices.map((device) => this.planItem(device)), items };
  }

  /**
   * `devices.json`, `{ hub, devices }`, with `devices` streamed: the tagged devices (the owner
   * query's twins, held: the query is shared with other requests), then those DPS provisioned,
   * whose twins are read a few at a time, in order. Each device's identity is the part of its
   * twin that describes it (`identityOf`): no registry read per device.
   */
  async *export(subject: Subject, context: AdapterCallContext): AsyncIterable<ExportFile> {
    const candidates = this.subjectDeviceStream(subject, context);
    const entries = mapOrdered(candidates, TWIN_READS_IN_FLIGHT, context, (candidate, batch) => this.exportedDevice(candidate, subject, batch));
    const present = await nonEmpty((async function* () {
      for await (const entry of entries) if (entry) yield entry;
    })());
    if (present) yield { path: 'devices.json', content: { hub: this.options.hostName, devices: streamedArray(present) } };
  }

  /**
   * With a plan: changes the planned devices only, each if it is still there and still the
   * subject's (by the link it was planned for), and reports what the subject's owner tag and DPS
   * registrations reach now beyond the plan as `delta`, untouched. Without one (requests
   * discovered before plans existed): every device of the subject's found now.
   */
  async erase(subject: Subject, context: AdapterCallContext): Promise<StepReport> {
    if (context.plan) return this.erasePlanned(subject, context.plan, context);
    const devices = await this.subjectDevices(subject, context, 'now');
    const outcomes = await Promise.all(devices.map((device) => this.change(device, subject, context)));
    const done = outcomes.filter((outcome) => outcome === 'done').length;
    const summary = { code: this.clearing ? 'iotHub.cleared' : 'iotHub.deleted', devices: done, absent: outcomes.length - done, planned: false } as const;
    return { summary, count: devices.length };
  }

  private get clearing(): boolean {
    return this.options.eraseMode === 'clearPersonalData';
  }

  /**
   * Erasure bound to the plan: one tag query and the DPS lookup show what is the subject's now;
   * a planned device the query returned is changed from that twin, any other planned device is
   * read once first. Devices found now but not planned are the delta.
   */
  private async erasePlanned(subject: Subject, plan: readonly PlanItem[], context: AdapterCallContext): Promise<StepReport> {
    if (plan.some((item) => item.type !== 'device')) {
      throw new ServiceError('iotHub', 'IoT Hub: the approved plan holds an item that is not a device; discover the request again', undefined, 'UnknownPlanItem');
    }
    const tagged = await this.taggedTwins(subject, context);
    const [items, unplanned] = await Promise.all([
      Promise.all(plan.map((item) => this.changePlanned(item, tagged, subject, context))),
      this.subjectDevicesAmong(tagged, new Set(plan.map((item) => item.id)), subject, context, 'now'),
    ]);
    const delta = unplanned.map((device) => this.planItem(device));
    const count = items.filter((item) => item.result === 'removed' || item.result === 'changed').length;
    return { summary: this.plannedSummary(items), count, items, delta };
  }

  /** One planned device: changed if it is still there and still linked to the subject the way it was planned. */
  private async changePlanned(item: PlanItem, tagged: ReadonlyMap<string, TwinJson>, subject: Subject, context: AdapterCallContext): Promise<ItemOutcome> {
    // An unknown reason gets the strictest check: the owner tag must still name the subject.
    const linkedBy: LinkedBy = item.reason === DPS_REASON ? 'dpsRegistration' : 'ownerTag';
    const twin = tagged.get(item.id) ?? await this.currentTwin(item.id, linkedBy, subject, context);
    const outcome = typeof twin === 'string' ? twin : await this.change({ twin, linkedBy }, subject, context);
    return { type: item.type, id: item.id, result: this.itemResult(outcome) };
  }

  private itemResult(outcome: ChangeOutcome): ItemResult {
    if (outcome === 'done') return this.clearing ? 'changed' : 'removed';
    return outcome === 'gone' ? 'alreadyGone' : 'kept';
  }

  // What was gone, kept or left alone is shown from the items by the cards, not in the summary.
  private plannedSummary(items: readonly ItemOutcome[]): StepSummary {
    const done = items.filter((item) => item.result === (this.clearing ? 'changed' : 'removed')).length;
    return { code: this.clearing ? 'iotHub.cleared' : 'iotHub.deleted', devices: done, absent: 0, planned: true };
  }

  /** The subject's devices: by owner tag (a paged query) and by DPS registration (one twin read each). */
  private async subjectDevices(subject: Subject, context: AdapterCallContext, reading: DpsReading): Promise<SubjectDevice[]> {
    return this.subjectDevicesAmong(await this.taggedTwins(subject, context), new Set(), subject, context, reading);
  }

  /**
   * The tagged twins and the devices DPS provisioned for the subject on this hub (one twin read
   * each for those not tagged), leaving out the ids in `except`.
   */
  private async subjectDevicesAmong(
    tagged: ReadonlyMap<string, TwinJson>,
    except: ReadonlySet<string>,
    subject: Subject,
    context: AdapterCallContext,
    reading: DpsReading,
  ): Promise<SubjectDevice[]> {
    const devices: SubjectDevice[] = [...tagged.values()].filter((twin) => !except.has(twin.deviceId)).map((twin) => ({ twin, linkedBy: 'ownerTag' }));
    const untagged = (await this.dpsDeviceIds(subject, context, reading)).filter((id) => !tagged.has(id) && !except.has(id));
    const twins = await Promise.all(untagged.map((id) => this.absentOn404(this.api.getTwin(id, context))));
    for (const twin of twins) {
      if (twin && !this.ownedBySomeoneElse(twin, subject)) devices.push({ twin, linkedBy: 'dpsRegistration' });
    }
    return devices;
  }

  /**
   * The twins whose owner tag names the subject, by device id: the paged tag query (never a
   * listing), shared with the other requests asking within the coalescing window. Read now, never
   * kept: erasure may use it too. The request stops waiting when its signal fires; the shared
   * query runs on for the others.
   */
  private taggedTwins(subject: Subject, context: AdapterCallContext): Promise<Map<string, TwinJson>> {
    return untilAborted(() => this.taggedReads.load({ subject, context }), context.signal);
  }

  /**
   * One batch of owner asks: `tags.<owner> IN [...]` queries holding every owner's spellings (one
   * query, unless they need more than 8 KB), each twin given to the asks whose subject its owner
   * tag names (checked here, case-insensitively, whatever the hub answered). A query that fails
   * fails only the asks it held; an owner whose identifiers cannot be put in a query fails alone.
   */
  private async queryOwners(asks: readonly OwnerAsk[]): Promise<Array<Map<string, TwinJson> | Error>> {
    const { queries, refused } = ownersQueries(this.ownerTag, asks.map(({ subject }) => ownerTagSpellings(subject)));
    const answers: Array<Map<string, TwinJson> | Error> = asks.map(() => new Map());
    for (const owner of refused) {
      answers[owner] = new ServiceError('iotHub', 'IoT Hub: an identifier of the subject cannot be put in a query (control characters or too long)', undefined, 'QueryValueRefused');
    }
    // The batch serves several requests: none of their signals may cut it short for the others.
    const shared: AdapterCallContext = { requestId: asks[0].context.requestId, kind: asks[0].context.kind };
    await Promise.all(queries.map(async (query) => {
      try {
        for await (const page of this.api.queryTwins(query.text, this.options.pageSize ?? DEFAULT_PAGE_SIZE, shared)) {
          for (const twin of page) {
            for (const owner of query.owners) {
              if (ownerTagNamesSubject(twin.tags, this.ownerTag, asks[owner].subject)) (answers[owner] as Map<string, TwinJson>).set(twin.deviceId, twin);
            }
          }
        }
      } catch (error) {
        for (const owner of query.owners) answers[owner] = error instanceof Error ? error : new Error(String(error));
      }
    }));
    return answers;
  }

  /** The ids of the devices DPS provisioned for the subject on this hub, each once. Device ids may be personal: never logged. */
  private async dpsDeviceIds(subject: Subject, context: AdapterCallContext, reading: DpsReading): Promise<string[]> {
    const hub = this.options.hostName.toLowerCase();
    const provisioned = this.options.dpsDevices ? await this.options.dpsDevices(subject, context, reading) : [];
    return [...new Set(provisioned.filter((device) => device.assignedHub.toLowerCase() === hub).map((device) => device.deviceId))];
  }

  private planItem(device: SubjectDevice): PlanItem {
    return { type: 'device', id: device.twin.deviceId, reason: device.linkedBy === 'ownerTag' ? `tag:${this.ownerTag}` : DPS_REASON };
  }

  /**
   * The subject's devices one at a time, as {@link subjectDevices} finds them: the tagged ones,
   * then the DPS-provisioned ones the tag query did not return (by id only: their twins are read
   * when exported).
   */
  private async *subjectDeviceStream(subject: Subject, context: AdapterCallContext): AsyncGenerator<SubjectDevice | { dpsDeviceId: string }> {
    const [dpsIds, tagged] = await Promise.all([this.dpsDeviceIds(subject, context, 'shared'), this.taggedTwins(subject, context)]);
    for (const twin of tagged.values()) yield { twin, linkedBy: 'ownerTag' };
    for (const dpsDeviceId of dpsIds) if (!tagged.has(dpsDeviceId)) yield { dpsDeviceId };
  }

  /** One device as exported, with its identity; undefined when it is gone or (by DPS) handed over. */
  private async exportedDevice(candidate: SubjectDevice | { dpsDeviceId: string }, subject: Subject, context: AdapterCallContext) {
    let device: SubjectDevice;
    if ('dpsDeviceId' in candidate) {
      const twin = await this.absentOn404(this.api.getTwin(candidate.dpsDeviceId, context));
      if (!twin || this.ownedBySomeoneElse(twin, subject)) return undefined;
      device = { twin, linkedBy: 'dpsRegistration' };
    } else {
      device = candidate;
    }
    const { twin, linkedBy } = device;
    return { deviceId: twin.deviceId, linkedBy, identity: identityOf(twin), twin: withoutCredentials(twin) };
  }

  /** What erasure does to one device in the configured mode. */
  private change(device: SubjectDevice, subject: Subject, context: AdapterCallContext): Promise<ChangeOutcome> {
    return this.clearing ? this.clearPersonalData(device, subject, context) : this.deleteDevice(device, subject, context);
  }

  /** Deletes the identity with If-Match its etag; a stale etag means a fresh read and a new check. */
  private deleteDevice(device: SubjectDevice, subject: Subject, context: AdapterCallContext): Promise<ChangeOutcome> {
    return this.changeConditionally(device, subject, context, async (twin) => {
      const etag = twin.deviceEtag ?? (await this.absentOn404(this.api.getDevice(twin.deviceId, context)))?.etag;
      return etag ? () => this.api.deleteDevice(twin.deviceId, etag, context) : 'gone';
    });
  }

  /** Removes the owner tag and the configured personal fields with one twin patch, If-Match the twin's etag. */
  private clearPersonalData(device: SubjectDevice, subject: Subject, context: AdapterCallContext): Promise<ChangeOutcome> {
    return this.changeConditionally(device, subject, context, async (twin) => {
      const patch = this.personalDataPatch(twin);
      return patch ? () => this.api.patchTwin(twin.deviceId, patch, twin.etag ?? '*', context) : 'nothingToClear';
    });
  }

  /**
   * Sends the conditional (If-Match) change `prepare` makes for the twin as last read, unless it
   * answers why there is none. 404 means gone; a 412 (stale etag) means a fresh read, a new check
   * that the device is still the subject's and a new try, up to CONDITIONAL_TRIES.
   */
  private async changeConditionally(
    device: SubjectDevice,
    subject: Subject,
    context: AdapterCallContext,
    prepare: (twin: TwinJson) => Promise<(() => Promise<unknown>) | 'gone' | 'nothingToClear'>,
  ): Promise<ChangeOutcome> {
    let twin = device.twin;
    for (let attempt = 1; ; attempt++) {
      const send = await prepare(twin);
      if (typeof send === 'string') return send;
      try {
        await send();
        return 'done';
      } catch (error) {
        if (statusCodeOf(error) === 404) return 'gone';
        if (statusCodeOf(error) !== 412 || attempt >= CONDITIONAL_TRIES) throw error;
      }
      const current = await this.currentTwin(twin.deviceId, device.linkedBy, subject, context);
      if (typeof current === 'string') return current;
      twin = current;
    }
  }

  /** The patch removing what is present of the owner tag and personal fields, or undefined when none is. */
  private personalDataPatch(twin: TwinJson): Record<string, unknown> | undefined {
    const tags = [this.ownerTag, ...this.personalTags].filter((path) => valueAtPath(twin.tags, path) !== undefined);
    const desired = this.personalDesiredProperties.filter((path) => valueAtPath(twin.properties?.desired, path) !== undefined);
    if (tags.length === 0 && desired.length === 0) return undefined;
    return {
      ...(tags.length > 0 && { tags: removalPatch(tags) }),
      ...(desired.length > 0 && { properties: { desired: removalPatch(desired) } }),
    };
  }

  /**
   * Reads the twin (after a stale etag, or for a planned device the tag query did not return):
   * still there, and still the subject's? A tagged device must still carry their owner tag; one
   * linked through DPS must not carry anyone else's.
   */
  private async currentTwin(deviceId: string, linkedBy: LinkedBy, subject: Subject, context: AdapterCallContext): Promise<TwinJson | 'gone' | 'notTheirs'> {
    const twin = await this.absentOn404(this.api.getTwin(deviceId, context));
    if (!twin) return 'gone';
    const theirs = linkedBy === 'ownerTag' ? ownerTagNamesSubject(twin.tags, this.ownerTag, subject) : !this.ownedBySomeoneElse(twin, subject);
    return theirs ? twin : 'notTheirs';
  }

  /**
   * A device provisioned through the subject's enrollment whose owner tag now names someone else
   * has been handed over: it is that person's, not the subject's.
   */
  private ownedBySomeoneElse(twin: TwinJson, subject: Subject): boolean {
    const owner = valueAtPath(twin.tags, this.ownerTag);
    return owner !== undefined && owner !== null && owner !== '' && !ownerTagNamesSubject(twin.tags, this.ownerTag, subject);
  }

  private async absentOn404<T>(call: Promise<T>): Promise<T | undefined> {
    try {
      return await call;
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw error;
    }
  }
}
