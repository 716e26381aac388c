import type { TokenCredential } from '@azure/core-auth';
import type { Client } from '@azure-rest/core-client';
import { AdapterCallContext, DiscoveryResult, ExportFile, ItemOutcome, ItemResult, PlanItem, ServiceAdapter, ServiceError, statusCodeOf, StepReport, streamedArray, Subject } from '../../dsr';
import { CallPolicy, ServiceCaller } from '../calls/callPolicy';
import { mapOrdered } from '../exportStreams';
import { PageGuard } from '../calls/pageGuard';
import { SharedListing } from '../calls/sharedListing';
import type { ThrottleClock } from '../calls/throttleBudget';
import { untilAborted } from '../calls/untilAborted';
import { withoutAttestationSecrets } from './attestationRedaction';
import { ownedBy, TaggedEnrollment } from './ownerMatch';
import { devicesOutsideCoveredHubs, ProvisionedDevice, uncoveredHubSteps, uncoveredHubs } from './uncoveredHubs';
import { createServiceRestClient, expectOk, SasTokenSource, statusOf } from '../calls/restClient';

/** The Entra token scope of the DPS service API. */
export const DPS_SCOPE = 'https://azure-devices-provisioning.net/.default';
/** The service API version the adapter speaks. */
export const DPS_API_VERSION = '2021-10-01';

/** Where the adapter finds DPS and how it recognises the subject's enrollments. */
export interface DpsAdapterOptions {
  /** The DPS service endpoint, `https://<name>.azure-devices-provisioning.net` (or the sandbox's URL). */
  endpoint: string;
  /** Entra credential with a DPS data-plane role; a token for {@link DPS_SCOPE} is sent. */
  credential?: TokenCredential;
  /**
   * A shared access signature (`SharedAccessSignature sr=...&sig=...&se=...&skn=...`) of a
   * shared access policy with enrollment read and write rights, or a function minting a fresh
   * one; used instead of `credential` when given.
   */
  sasToken?: SasTokenSource;
  /** Time-outs, retries and concurrency for DPS calls; defaults to `DEFAULT_CALL_POLICY`. */
  policy?: Partial<CallPolicy>;
  /**
   * The key in an enrollment's `initialTwin.tags` that names the device's owner, by Entra
   * object id or e-mail address; a dotted path (`people.owner`) reaches into nested tags.
   * Defaults to `owner`.
   */
  ownerTag?: string;
  /**
   * IoT hub host names (`contoso-hub.azure-devices.net`) whose devices the IoT Hub step
   * erases. A subject's device provisioned to any other hub is left to an approver as a
   * manual step. Defaults to none.
   */
  coveredHubs?: string[];
  /** Enrollments asked for per query page (`x-ms-max-item-count`); defaults to 100. */
  pageSize?: number;
  /**
   * How long discovery and export share one listing of every enrollment (DSR_SHARED_LISTING_MS):
   * DPS cannot filter by owner, so each request would list them all. Erasure and restriction
   * list afresh. Default 0: never shared.
   */
  sharedListingMs?: number;
  /** The clock the listing's freshness is measured by; tests pass their own. */
  listingClock?: Pick<ThrottleClock, 'now'>;
}

/** Whether a read may come from the listing other requests share (discovery, export) or must list now (changes). */
export type EnrollmentReading = 'shared' | 'now';

/** An individual enrollment as the adapter reads it; the rest of its fields pass through. */
interface Enrollment extends TaggedEnrollment {
  registrationId: string;
  etag?: string;
  provisioningStatus?: string;
  [field: string]: unknown;
}

/** A registration record (device registration state) as the adapter reads it. */
interface RegistrationRecord {
  registrationId: string;
  deviceId?: string;
  assignedHub?: string;
  status?: string;
  etag?: string;
  [field: string]: unknown;
}

/** One of the subject's enrollments and its registration record, when the device registered. */
interface SubjectRecord {
  enrollment: Enrollment;
  registration?: RegistrationRecord;
}

// The only form the DPS query language has: no WHERE, no projection (hence the client-side filter).
const SELECT_ALL_ENROLLMENTS = 'SELECT * FROM enrollments';
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;
/** Registration records an export reads at once (the call policy bounds the calls themselves). */
const RECORD_READS_IN_FLIGHT = 16;

/** What a conditional write came to: done, the record was gone, it is no longer the subject's, or it was as wanted already. */
type WriteOutcome = 'done' | 'absent' | 'notOurs' | 'unchanged';

/** The plan's reason for a registration record: it belongs to the subject's individual enrollment. */
const REGISTRATION_REASON = 'enrollment';

/** The calls of a listing that requests share: no one request's signal may cut it short for the others. */
const SHARED_READ: AdapterCallContext = { requestId: 'shared-listing', kind: 'export' };

/**
 * IoT Hub Device Provisioning Service: the subject's individual enrollments (an enrollment is
 * theirs when its `initialTwin.tags[ownerTag]` names them) and the registration records of
 * those devices. Enrollment groups hold many people's devices and no one's identity: they are
 * never touched. Neither DPS record removes the device from its IoT hub: the IoT Hub step
 * does that for covered hubs (through {@link registeredDevices}), an approver for the rest.
 */
export class DpsAdapter implements ServiceAdapter {
  readonly service = 'dps' as const;
  private readonly client: Client;
  private readonly caller: ServiceCaller;
  private readonly ownerTag: string;
  private readonly coveredHubs: readonly string[];
  private readonly pageSize: number;
  /** Every individual enrollment, listed once for the requests asking within the freshness window. */
  private readonly enrollments: SharedListing<Enrollment[]>;

  constructor(options: DpsAdapterOptions) {
    this.ownerTag = options.ownerTag ?? 'owner';
    if (!/^[^.\s]+(\.[^.\s]+)*$/.test(this.ownerTag)) throw new Error('DpsAdapter: ownerTag must name a twin tag, or a dotted path of tags');
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1 || this.pageSize > MAX_PAGE_SIZE) {
      throw new Error(`DpsAdapter: pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    this.coveredHubs = options.coveredHubs ?? [];
    this.client = createServiceRestClient({
      endpoint: options.endpoint,
      credential: options.credential,
      sasToken: options.sasToken,
      scope: DPS_SCOPE,
      apiVersion: DPS_API_VERSION,
    });
    this.caller = new ServiceCaller('dps', options.policy);
    this.enrollments = new SharedListing(() => this.allEnrollments(), options.sharedListingMs ?? 0, options.listingClock);
  }

  async discover(subject: Subject, context: AdapterCallContext): Promise<DiscoveryResult> {
    const records = await this.subjectRecords(subject, context, 'shared');
    const registrations = records.filter((record) => record.registration).length;
    const uncovered = devicesOutsideCoveredHubs(provisionedDevices(records), this.coveredHubs);
    const manualSteps = uncoveredHubSteps(uncovered, context.kind, this.ownerTag);
    return {
      count: records.length + registrations,
      plan: records.flatMap(({ enrollment, registration }) => [
        this.enrollmentItem(enrollment.registrationId),
        ...(registration ? [registrationItem(registration.registrationId)] : []),
      ]),
      items: records.length === 0 ? [] : [{ code: 'dps.enrollments', count: records.length }, { code: 'dps.registrations', count: registrations }],
      ...(manualSteps.length > 0 && { manualSteps }),
    };
  }

  /**
   * `enrollments.json` and `registrations.json`: the subject's enrollments from the listing
   * shared with other requests (DPS has no filter: every enrollment is listed, the subject's
   * kept), then their registration records, streamed as they are read by id, a few at a time.
   */
  async *export(subject: Subject, context: AdapterCallContext): AsyncIterable<ExportFile> {
    const owned = [...(await this.subjectEnrollments(subject, context, 'shared')).values()];
    if (owned.length === 0) return;
    yield { path: 'enrollments.json', content: owned.map(withoutAttestationSecrets) };
    const registrations = mapOrdered(owned.map((enrollment) => enrollment.registrationId), RECORD_READS_IN_FLIGHT, context, (id, batch) => this.readRegistration(id, batch));
    yield {
      path: 'registrations.json',
      content: streamedArray((async function* present() {
        for await (const registration of registrations) if (registration) yield registration;
      })()),
    };
  }

  /**
   * Deletes each of the subject's registration records, then its enrollment, each with
   * `If-Match` of the version just read, so a record changed in between (re-tagged to
   * someone else, say) is read again rather than deleted blind. Registration first: a run cut
   * short still finds the enrollment, and through it the record, when it is repeated.
   *
   * With a plan, only the planned records, as {@link erasePlanned} says; without one (requests
   * discovered before plans existed), every record of the subject's found now.
   */
  async erase(subject: Subject, context: AdapterCallContext): Promise<StepReport> {
    if (context.plan) return this.erasePlanned(subject, context.plan, context);
    const records = await this.subjectRecords(subject, context, 'now');
    const isOwned = ownedBy(subject, this.ownerTag);
    let enrollments = 0;
    let registrations = 0;
    for (const { enrollment, registration } of records) {
      const current = await this.readEnrollment(enrollment.registrationId, context);
      if (current && !isOwned(current)) continue; // re-tagged to someone else since the query
      if (registration) {
        const removed = await this.removeCurrent(
          () => this.readRegistration(registration.registrationId, context),
          () => true,
          (etag) => this.deleteRecord('/registrations/{id}', registration.registrationId, etag, 'delete a registration record', context),
        );
        if (removed === 'done') registrations++;
      }
      const removed = await this.removeCurrent(
        () => this.readEnrollment(enrollment.registrationId, context),
        isOwned,
        (etag) => this.deleteRecord('/enrollments/{id}', enrollment.registrationId, etag, 'delete an individual enrollment', context),
      );
      if (removed === 'done') enrollments++;
    }
    const remaining = uncoveredHubs(devicesOutsideCoveredHubs(provisionedDevices(records), this.coveredHubs));
    return {
      summary: { code: 'dps.removed', enrollments, registrations, planned: false, uncoveredHubs: remaining },
      count: enrollments + registrations,
    };
  }

  /**
   * Restriction keeps the data and stops its use: each of the subject's enrollments is set to
   * `disabled`, so DPS provisions none of their devices again until an admin enables it. With a
   * plan, only the planned enrollments (registration records are kept either way) and the delta,
   * as {@link erasePlanned} says.
   */
  async restrict(subject: Subject, context: AdapterCallContext): Promise<StepReport> {
    if (context.plan) return this.restrictPlanned(subject, context.plan, context);
    const records = await this.subjectRecords(subject, context, 'now');
    const isOwned = ownedBy(subject, this.ownerTag);
    let disabled = 0;
    for (const { enrollment } of records) {
      const outcome = await this.setProvisioningStatus(enrollment.registrationId, 'disabled', isOwned, context);
      if (outcome === 'done') disabled++;
    }
    const running = uncoveredHubs(devicesOutsideCoveredHubs(provisionedDevices(records), this.coveredHubs));
    return {
      summary: { code: 'dps.disabled', enrollments: disabled, planned: false, uncoveredHubs: running },
      count: disabled,
    };
  }

  /**
   * Lifts a restriction: enables again exactly the enrollments it disabled (those recorded as
   * `changed`), never one that was disabled before it; one no longer the subject's is kept as it is.
   */
  async liftRestriction(subject: Subject, restricted: readonly ItemOutcome[], context: AdapterCallContext): Promise<StepReport> {
    const isOwned = ownedBy(subject, this.ownerTag);
    const items: ItemOutcome[] = [];
    for (const { id } of restricted.filter((item) => item.type === 'enrollment' && item.result === 'changed')) {
      items.push({ type: 'enrollment', id, result: restrictedResult(await this.setProvisioningStatus(id, 'enabled', isOwned, context)) });
    }
    const enabled = items.filter((item) => item.result === 'changed').length;
    return { summary: { code: 'dps.enabled', enrollments: enabled }, count: enabled, items };
  }

  /**
   * The subject's devices that DPS provisioned: for each of their enrollments whose device has
   * registered, the hub it was assigned to and its device id there. The IoT Hub adapter finds
   * the subject's devices through this: `shared` for its discovery and export, `now` for erasure.
   * Device ids may be personal: keep them out of logs.
   */
  async registeredDevices(subject: Subject, context: AdapterCallContext, reading: EnrollmentReading = 'now'): Promise<ProvisionedDevice[]> {
    const ids = [...(await this.subjectEnrollments(subject, context, reading)).keys()];
    const devices: ProvisionedDevice[] = [];
    for await (const registration of mapOrdered(ids, RECORD_READS_IN_FLIGHT, context, (id, batch) => this.readRegistration(id, batch))) {
      devices.push(...provisionedDevices([{ registration }]));
    }
    return devices;
  }

  /**
   * Erasure bound to the plan: the enrollment query shows what names the subject now. Planned
   * registration records go first, then planned enrollments, each deleted with `If-Match` unless
   * gone (`alreadyGone`) or its enrollment now names someone else (`kept`). A planned enrollment
   * the query returned is deleted with the version it returned; any other planned one is read
   * once. What names the subject now but is not planned is the delta, untouched.
   */
  private async erasePlanned(subject: Subject, plan: readonly PlanItem[], context: AdapterCallContext): Promise<StepReport> {
    const { enrollments, registrations } = plannedByType(plan);
    const isOwned = ownedBy(subject, this.ownerTag);
    const current = await this.subjectEnrollments(subject, context, 'now');
    const delta = await this.unplannedRecords(current, plan, context);
    const now = await this.enrollmentsNow(plan, current, context);
    const items: ItemOutcome[] = [];
    const read: SubjectRecord[] = [];
    for (const { id } of registrations) {
      const enrollment = now.get(id);
      const outcome = await this.removeCurrent(
        async () => {
          const registration = await this.readRegistration(id, context);
          if (registration && enrollment) read.push({ enrollment, registration });
          return registration;
        },
        () => enrollment === undefined || isOwned(enrollment),
        (etag) => this.deleteRecord('/registrations/{id}', id, etag, 'delete a registration record', context),
      );
      items.push({ type: 'registration', id, result: erasedResult(outcome) });
    }
    for (const { id } of enrollments) {
      const outcome = await this.removeCurrent(
        () => this.readEnrollment(id, context),
        isOwned,
        (etag) => this.deleteRecord('/enrollments/{id}', id, etag, 'delete an individual enrollment', context),
        async () => now.get(id),
      );
      items.push({ type: 'enrollment', id, result: erasedResult(outcome) });
    }
    // Devices of the planned enrollments in hubs the bot does not reach stay there: the receipt says so.
    const remaining = uncoveredHubs(devicesOutsideCoveredHubs(provisionedDevices(read), this.coveredHubs));
    const removed = (type: string) => items.filter((item) => item.type === type && item.result === 'removed').length;
    return {
      summary: { code: 'dps.removed', enrollments: removed('enrollment'), registrations: removed('registration'), planned: true, uncoveredHubs: remaining },
      count: items.filter((item) => item.result === 'removed').length,
      items,
      delta,
    };
  }

  /** Restriction bound to the plan: the planned enrollments disabled, planned registration records kept as they are. */
  private async restrictPlanned(subject: Subject, plan: readonly PlanItem[], context: AdapterCallContext): Promise<StepReport> {
    const { enrollments, registrations } = plannedByType(plan);
    const isOwned = ownedBy(subject, this.ownerTag);
    const delta = await this.unplannedRecords(await this.subjectEnrollments(subject, context, 'now'), plan, context);
    const items: ItemOutcome[] = registrations.map(({ id }) => ({ type: 'registration', id, result: 'kept' }));
    for (const { id } of enrollments) {
      // The write sends the whole enrollment back: it is read first, never taken from the query.
      const outcome = await this.setProvisioningStatus(id, 'disabled', isOwned, context);
      items.push({ type: 'enrollment', id, result: restrictedResult(outcome) });
    }
    const disabled = items.filter((item) => item.result === 'changed').length;
    return {
      summary: { code: 'dps.disabled', enrollments: disabled, planned: true, uncoveredHubs: [] },
      count: disabled,
      items,
      delta,
    };
  }

  /**
   * What names the subject now but is not in the plan: the enrollments the query returned, and
   * the registration records of those enrollments (planned or not) whose record the plan does not
   * hold, one read each.
   */
  private async unplannedRecords(current: ReadonlyMap<string, Enrollment>, plan: readonly PlanItem[], context: AdapterCallContext): Promise<PlanItem[]> {
    const planned = new Set(plan.map((item) => `${item.type}/${item.id}`));
    const ids = [...current.keys()];
    const records = await Promise.all(ids.filter((id) => !planned.has(`registration/${id}`)).map((id) => this.readRegistration(id, context)));
    return [
      ...ids.filter((id) => !planned.has(`enrollment/${id}`)).map((id) => this.enrollmentItem(id)),
      ...records.flatMap((record) => (record ? [registrationItem(record.registrationId)] : [])),
    ];
  }

  /** Each planned id's enrollment as it is now: the query's copy while it names the subject, else read (undefined: gone). */
  private async enrollmentsNow(plan: readonly PlanItem[], current: ReadonlyMap<string, Enrollment>, context: AdapterCallContext): Promise<Map<string, Enrollment | undefined>> {
    const now = new Map<string, Enrollment | undefined>(current);
    const others = [...new Set(plan.map((item) => item.id))].filter((id) => !current.has(id));
    const read = await Promise.all(others.map((id) => this.readEnrollment(id, context)));
    others.forEach((id, index) => now.set(id, read[index]));
    return now;
  }

  /** Sets the enrollment's `provisioningStatus` (read, then `If-Match` that version) while it is the subject's. */
  private setProvisioningStatus(registrationId: string, status: 'enabled' | 'disabled', isOwned: (enrollment: Enrollment) => boolean, context: AdapterCallContext): Promise<WriteOutcome> {
    const what = status === 'disabled' ? 'disable an individual enrollment' : 'enable an individual enrollment';
    return this.updateCurrent(
      () => this.readEnrollment(registrationId, context),
      isOwned,
      async (current) => {
        if (current.provisioningStatus === status) return 'unchanged';
        return this.caller.call(what, async (signal) => {
          const response = await this.client.path('/enrollments/{id}', current.registrationId).put({
            body: { ...current, provisioningStatus: status },
            headers: ifMatch(current.etag),
            abortSignal: signal,
          });
          if (statusOf(response) === 404) return 'absent' as const;
          await expectOk(response, [200], what);
          return 'done' as const;
        }, context);
      },
    );
  }

  private enrollmentItem(registrationId: string): PlanItem {
    return { type: 'enrollment', id: registrationId, reason: `initialTwinTag:${this.ownerTag}` };
  }

  /** The subject's enrollments by registration id, from the shared listing or one made now. */
  private async subjectEnrollments(subject: Subject, context: AdapterCallContext, reading: EnrollmentReading): Promise<Map<string, Enrollment>> {
    const isOwned = ownedBy(subject, this.ownerTag);
    // The request stops waiting when its signal fires; a listing others share runs on for them.
    const listing = await untilAborted(() => (reading === 'shared' ? this.enrollments.get() : this.enrollments.fresh()), context.signal);
    return new Map(listing.filter(isOwned).map((enrollment) => [enrollment.registrationId, enrollment]));
  }

  /** The subject's enrollments, each with its registration record. */
  private async subjectRecords(subject: Subject, context: AdapterCallContext, reading: EnrollmentReading): Promise<SubjectRecord[]> {
    const enrollments = [...(await this.subjectEnrollments(subject, context, reading)).values()];
    return Promise.all(enrollments.map(async (enrollment) => ({
      enrollment,
      registration: await this.readRegistration(enrollment.registrationId, context),
    })));
  }

  /** Every individual enrollment, across every query page. */
  private async allEnrollments(): Promise<Enrollment[]> {
    const all: Enrollment[] = [];
    for await (const page of this.enrollmentPages(SHARED_READ)) all.push(...page);
    return all;
  }

  /**
   * Every individual enrollment, page by page. The DPS query language only supports
   * `SELECT * FROM enrollments` (no WHERE clause, so no filter on a tag), hence the whole
   * list is read and filtered here; the subject's values never reach a query.
   */
  private async *enrollmentPages(context: AdapterCallContext): AsyncIterable<Enrollment[]> {
    const guard = new PageGuard('dps', 'the enrollment query');
    let continuation: string | undefined;
    do {
      const token = continuation;
      const { body, next } = await this.caller.call('query individual enrollments', async (signal) => {
        const response = await expectOk(this.client.path('/enrollments/query').post({
          body: { query: SELECT_ALL_ENROLLMENTS },
          headers: { 'x-ms-max-item-count': String(this.pageSize), ...(token !== undefined && { 'x-ms-continuation': token }) },
          abortSignal: signal,
        }), [200], 'query individual enrollments');
        const header = response.headers['x-ms-continuation'];
        return { body: response.body, next: typeof header === 'string' && header !== '' ? header : undefined };
      }, context);
      yield enrollmentList(body);
      continuation = guard.follow(next);
    } while (continuation !== undefined);
  }

  private readEnrollment(registrationId: string, context: AdapterCallContext): Promise<Enrollment | undefined> {
    return this.readRecord<Enrollment>('/enrollments/{id}', registrationId, 'read an individual enrollment', context);
  }

  private readRegistration(registrationId: string, context: AdapterCallContext): Promise<RegistrationRecord | undefined> {
    return this.readRecord<RegistrationRecord>('/registrations/{id}', registrationId, 'read a registration record', context);
  }

  /** A record by id; `undefined` when DPS answers 404 (no such enrollment, or the device never registered). */
  private readRecord<T>(path: '/enrollments/{id}' | '/registrations/{id}', id: string, operation: string, context: AdapterCallContext): Promise<T | undefined> {
    return this.caller.call(operation, async (signal) => {
      const response = await this.client.path(path, id).get({ abortSignal: signal });
      if (statusOf(response) === 404) return undefined;
      return (await expectOk(response, [200], operation)).body as T;
    }, context);
  }

  /** Deletes one record with `If-Match`; 404 means it is gone already. */
  private deleteRecord(path: '/enrollments/{id}' | '/registrations/{id}', id: string, etag: string | undefined, operation: string, context: AdapterCallContext): Promise<WriteOutcome> {
    return this.caller.call(operation, async (signal) => {
      const response = await this.client.path(path, id).delete({ headers: ifMatch(etag), abortSignal: signal });
      if (statusOf(response) === 404) return 'absent';
      await expectOk(response, [204, 200], operation);
      return 'done';
    }, context);
  }

  /** Reads the current version, checks it is still the subject's, and deletes that version. */
  private removeCurrent<T extends { etag?: string }>(
    read: () => Promise<T | undefined>,
    stillOurs: (record: T) => boolean,
    remove: (etag: string | undefined) => Promise<WriteOutcome>,
    firstRead = read,
  ): Promise<WriteOutcome> {
    return this.updateCurrent(read, stillOurs, (current) => remove(current.etag), firstRead);
  }

  /**
   * Read, check, write with `If-Match`; on 412 (changed since the read) it reads once more and
   * tries again, and a second 412 fails the step for the approvers to retry. `firstRead` may
   * stand in for the first read with a version just seen (the query's).
   */
  private async updateCurrent<T>(
    read: () => Promise<T | undefined>,
    applies: (record: T) => boolean,
    write: (current: T) => Promise<WriteOutcome>,
    firstRead = read,
  ): Promise<WriteOutcome> {
    for (let attempt = 0; ; attempt++) {
      const current = await (attempt === 0 ? firstRead : read)();
      if (current === undefined) return 'absent';
      if (!applies(current)) return 'notOurs';
      try {
        return await write(current);
      } catch (error) {
        if (statusCodeOf(error) !== 412 || attempt > 0) throw error;
      }
    }
  }
}

function registrationItem(registrationId: string): PlanItem {
  return { type: 'registration', id: registrationId, reason: REGISTRATION_REASON };
}

/** The plan's enrollments and registration records; any other item means a plan this adapter did not make. */
function plannedByType(plan: readonly PlanItem[]): { enrollments: PlanItem[]; registrations: PlanItem[] } {
  if (plan.some((item) => item.type !== 'enrollment' && item.type !== 'registration')) {
    throw new ServiceError('dps', 'Device Provisioning Service: the approved plan holds an item that is neither an enrollment nor a registration record; discover the request again', undefined, 'UnknownPlanItem');
  }
  return { enrollments: plan.filter((item) => item.type === 'enrollment'), registrations: plan.filter((item) => item.type === 'registration') };
}

function erasedResult(outcome: WriteOutcome): ItemResult {
  if (outcome === 'done') return 'removed';
  return outcome === 'absent' ? 'alreadyGone' : 'kept';
}

/** Disabled (or, lifting, enabled) now is `changed`; already so, or no longer the subject's, is `kept`. */
function restrictedResult(outcome: WriteOutcome): ItemResult {
  if (outcome === 'done') return 'changed';
  return outcome === 'absent' ? 'alreadyGone' : 'kept';
}

function ifMatch(etag: string | undefined): Record<string, string> {
  return etag ? { 'If-Match': etag } : {};
}

function enrollmentList(body: unknown): Enrollment[] {
  if (!Array.isArray(body)) throw new ServiceError('dps', 'Device Provisioning Service: the enrollment query did not answer a list');
  return body.filter((item): item is Enrollment => typeof item === 'object' && item !== null && typeof (item as Enrollment).registrationId === 'string');
}

function provisionedDevices(records: readonly Pick<SubjectRecord, 'registration'>[]): ProvisionedDevice[] {
  return records.flatMap(({ registration }) =>
    registration?.status === 'assigned' && registration.deviceId && registration.assignedHub
      ? [{ registrationId: registration.registrationId, deviceId: registration.deviceId, assignedHub: registration.assignedHub }]
      : []);
}

export type { ProvisionedDevice };
