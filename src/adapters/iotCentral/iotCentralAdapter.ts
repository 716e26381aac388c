import type { TokenCredential } from '@azure/core-auth';
import { type AdapterCallContext, type DiscoveryLine, type DiscoveryResult, type ExportFile, type ItemOutcome, type ItemResult, type PlanItem, type ServiceAdapter, type StepReport, type StepSummary, type Subject } from '../../dsr';
import { CallPolicy, ServiceCaller } from '../calls/callPolicy';
import { SharedListing } from '../calls/sharedListing';
import type { ThrottleClock } from '../calls/throttleBudget';
import { untilAborted } from '../calls/untilAborted';
import { alertRuleEmailsStep } from './alertRuleStep';
import {
  IOT_CENTRAL_API_VERSION, IOT_CENTRAL_SCOPE, IotCentralApi, type ApiDevice, type ApiUser,
} from './iotCentralApi';
import { isSubjectAddress, subjectAddresses, valueAtPath } from './ownerMatch';
import { changedCount, outcomeOf, plannedIds, unplanned } from '../planItems';
import { propertyPath } from '../queryLiteral';
import { createServiceRestClient } from '../calls/restClient';

/** How the bot reaches one IoT Central application and what counts as the subject's there. */
export interface IotCentralAdapterOptions {
  /** The application's URL, `https://<subdomain>.azureiotcentral.com` (or the sandbox's URL). */
  endpoint: string;
  /**
   * Entra credential (managed identity or app registration) added to the app as a
   * servicePrincipal user with a role that may read and delete users and devices and update
   * device properties.
   * Tokens are asked for `https://apps.azureiotcentral.com/.default`.
   */
  credential?: TokenCredential;
  /**
   * An IoT Central API token (`SharedAccessSignature sr=...`) instead of `credential`. API tokens
   * expire (one year at most) and cannot be scoped down: prefer `credential`.
   */
  apiToken?: string;
  /** Time-out, retries and concurrency of the calls; defaults to `DEFAULT_CALL_POLICY`. */
  policy?: Partial<CallPolicy>;
  /**
   * The device property holding the owner's e-mail address: a root property (`ownerEmail`) or
   * `<component>.<property>`. Default `ownerEmail`. Devices have no owner field of their own.
   */
  deviceOwnerProperty?: string;
  /**
   * Delete the subject's linked devices on erasure. Default false: devices are usually company
   * assets that stay in service, so erasure only clears their owner property (sets it to null).
   */
  deleteLinkedDevices?: boolean;
  /** The application's display name, used only in the manual step's instructions. */
  appName?: string;
  /**
   * How long discovery and export share one listing of the app's users, roles and devices (with
   * their property values) (DSR_SHARED_LISTING_MS): the API cannot filter by owner, so each
   * request would list them all. Erasure lists afresh. Default 0: never shared.
   */
  sharedListingMs?: number;
  /** The clock the listings' freshness is measured by; tests pass their own. */
  listingClock?: Pick<ThrottleClock, 'now'>;
}

/** Whether a read may come from the listings other requests share (discovery, export) or must list now (erasure). */
type Reading = 'shared' | 'now';

/** The calls of a listing that requests share: no one request's signal may cut it short for the others. */
const SHARED_READ: AdapterCallContext = { requestId: 'shared-listing', kind: 'export' };

/** A device with its property values. */
interface LinkedDevice {
  device: ApiDevice;
  properties: Record<string, unknown>;
}

/** What discovery and export of every request read of the app, listed once per freshness window. */
interface AppListings {
  users: SharedListing<ApiUser[]>;
  roleNames: SharedListing<ReadonlyMap<string, string>>;
  /** Every device with its property values (devices gone between listing and reading left out). */
  devices: SharedListing<LinkedDevice[]>;
}

const DEFAULT_OWNER_PROPERTY = 'ownerEmail';

/**
 * Azure IoT Central through its REST API (2022-07-31; there is no JS data-plane SDK): the
 * subject's app user (matched by e-mail address, case-insensitively) with its role
 * assignments, and the devices whose owner property names them. Erasure deletes the user and
 * either deletes those devices or (the default) keeps them and clears their owner property.
 * E-mail addresses in alert rules have no API: for erasure (and rectification) discovery hands
 * the approvers a manual step.
 *
 * No `rectify`: an e-mail user's only personal field is its e-mail address, which is its
 * identity in the app (the sign-in name); correcting it means adding the person again, not
 * patching a field. `PATCH /users/{id}` changes roles, not who the user is.
 */
export class IotCentralAdapter implements ServiceAdapter {
  readonly service = 'iotCentral' as const;
  private readonly api: IotCentralApi;
  private readonly ownerProperty: string;
  private readonly listings: AppListings;

  constructor(private readonly options: IotCentralAdapterOptions) {
    this.ownerProperty = propertyPath(options.deviceOwnerProperty ?? DEFAULT_OWNER_PROPERTY);
    const client = createServiceRestClient({
      endpoint: options.endpoint,
      credential: options.credential,
      scope: IOT_CENTRAL_SCOPE,
      sasToken: options.apiToken,
      apiVersion: IOT_CENTRAL_API_VERSION,
    });
    this.api = new IotCentralApi(client, options.endpoint, new ServiceCaller('iotCentral', options.policy));
    const shared = <T>(list: () => Promise<T>) => new SharedListing(list, options.sharedListingMs ?? 0, options.listingClock);
    this.listings = {
      users: shared(() => this.allUsers(SHARED_READ)),
      roleNames: shared(() => this.roleNames(SHARED_READ)),
      devices: shared(() => this.devicesWithProperties(SHARED_READ)),
    };
  }

  async discover(subject: Subject, context: AdapterCallContext): Promise<DiscoveryResult> {
    const [users, devices] = await Promise.all([this.matchingUsers(subject, context, 'shared'), this.sharedLinkedDevices(subject, context)]);
    const assignments = users.reduce((sum, user) => sum + (user.roles?.length ?? 0), 0);
    const items: DiscoveryLine[] = [];
    if (users.length > 0) items.push({ code: 'iotCentral.users', count: users.length, assignments });
    if (devices.length > 0) items.push({ code: 'iotCentral.linkedDevices', count: devices.length, deletedOnErasure: Boolean(this.options.deleteLinkedDevices) });
    const needsManualStep = users.length > 0 && (context.kind === 'erase' || context.kind === 'rectify');
    return {
      count: users.length + devices.length,
      plan: [...users.map(userItem), ...devices.map(({ device }) => this.deviceItem(device))],
      items,
      ...(needsManualStep && { manualSteps: [alertRuleEmailsStep(this.options.appName)] }),
    };
  }

  /** `user.json` (one per matching user) and `devices.json`, from the listings shared with other requests. */
  async *export(subject: Subject, context: AdapterCallContext): AsyncIterable<ExportFile> {
    const [users, devices] = await Promise.all([this.matchingUsers(subject, context, 'shared'), this.sharedLinkedDevices(subject, context)]);
    if (users.length > 0) {
      const roleNames = await untilAborted(() => this.listings.roleNames.get(), context.signal);
      for (const [index, user] of users.entries()) {
        yield { path: index === 0 ? 'user.json' : `user-${index + 1}.json`, content: userExport(user, roleNames) };
      }
    }
    if (devices.length > 0) yield { path: 'devices.json', content: devices.map(({ device: { etag: _etag, ...device }, properties }) => ({ ...device, properties })) };
  }

  async erase(subject: Subject, context: AdapterCallContext): Promise<StepReport> {
    if (context.plan) return this.erasePlanned(subject, context.plan, context);
    // A 404 on delete or on clearing (gone since it was listed, e.g. by a repeated step) counts as done.
    const users = await this.matchingUsers(subject, context, 'now');
    for (const user of users) await this.api.deleteUser(user.id, context);
    const devices = await this.linkedDevices(subject, context);
    await allOrNone(devices, context, ({ device }, batch) => this.eraseDevice(device.id, batch));
    return { summary: this.eraseSummary(users.length, devices.length, users.length > 0), count: users.length + devices.length };
  }

  /**
   * Deletes the planned users and deletes or clears the planned devices, by id, without reading
   * them again; a 404 means the item went since discovery. Then looks for what matches the
   * subject now but was not planned (a device linked to them since discovery): the delta, left alone.
   */
  private async erasePlanned(subject: Subject, plan: readonly PlanItem[], context: AdapterCallContext): Promise<StepReport> {
    const users = plan.filter((item) => item.type === 'user');
    const devices = plan.filter((item) => item.type === 'device');
    const items: ItemOutcome[] = [];
    for (const user of users) items.push(outcomeOf(user, (await this.api.deleteUser(user.id, context)) ? 'removed' : 'alreadyGone'));
    items.push(...await allOrNone(devices, context, async (device, batch) => outcomeOf(device, await this.eraseDevice(device.id, batch))));
    const delta = await this.unplannedMatches(subject, plan, context);
    const touched = (type: string) => changedCount(items.filter((item) => item.type === type));
    return {
      summary: this.eraseSummary(touched('user'), touched('device'), users.length > 0),
      count: changedCount(items),
      items,
      delta,
    };
  }

  /** Deletes the device, or (the default) keeps it and clears its owner property; a 404 is `alreadyGone`. */
  private async eraseDevice(deviceId: string, context: AdapterCallContext): Promise<ItemResult> {
    if (this.options.deleteLinkedDevices === true) {
      return (await this.api.deleteDevice(deviceId, context)) ? 'removed' : 'alreadyGone';
    }
    // The device stays in service; only the person's address leaves it.
    return (await this.api.clearDeviceProperty(deviceId, this.ownerProperty, context)) ? 'changed' : 'alreadyGone';
  }

  /** Users and devices matching the subject now that the plan does not list; planned devices' properties are not read. */
  private async unplannedMatches(subject: Subject, plan: readonly PlanItem[], context: AdapterCallContext): Promise<PlanItem[]> {
    const users = (await this.matchingUsers(subject, context, 'now')).map(userItem);
    const devices = (await this.linkedDevices(subject, context, plannedIds(plan, 'device'))).map(({ device }) => this.deviceItem(device));
    return unplanned([...users, ...devices], plan);
  }

  private eraseSummary(usersDeleted: number, devicesTouched: number, alertRulesLeft: boolean): StepSummary {
    return { code: 'iotCentral.erased', users: usersDeleted, devices: devicesTouched, devicesDeleted: this.options.deleteLinkedDevices === true, alertRulesLeft };
  }

  /** A linked device as a plan item: matched through the configured owner property. */
  private deviceItem(device: ApiDevice): PlanItem {
    return { type: 'device', id: device.id, reason: `property:${this.ownerProperty}` };
  }

  /**
   * The subject's `email` users, from every page of the user list (the API has no filter): the
   * listing shared with other requests, or (for a change) one made now.
   */
  private async matchingUsers(subject: Subject, context: AdapterCallContext, reading: Reading): Promise<ApiUser[]> {
    const addresses = subjectAddresses(subject);
    const users = reading === 'shared' ? await untilAborted(() => this.listings.users.get(), context.signal) : await this.allUsers(context);
    // Service principals and AD groups carry object ids, never a person's address: only e-mail users count.
    return users.filter((user) => user.type === 'email' && isSubjectAddress(user.email, addresses));
  }

  private async allUsers(context: AdapterCallContext): Promise<ApiUser[]> {
    const users: ApiUser[] = [];
    for await (const page of this.api.users(context)) users.push(...page);
    return users;
  }

  /** The subject's linked devices from the device listing shared with other requests. */
  private async sharedLinkedDevices(subject: Subject, context: AdapterCallContext): Promise<LinkedDevice[]> {
    return this.ownedBy(subject, await untilAborted(() => this.listings.devices.get(), context.signal));
  }

  /**
   * Devices whose owner property holds one of the subject's addresses, listed now. The API has no
   * owner index: the 2022-07-31 `$filter` covers device fields (name, template, flags), not
   * property values, and the query API exists only in previews. Devices in `skipped` are listed
   * but their properties not read.
   */
  private async linkedDevices(subject: Subject, context: AdapterCallContext, skipped: ReadonlySet<string> = new Set()): Promise<LinkedDevice[]> {
    return this.ownedBy(subject, await this.devicesWithProperties(context, skipped));
  }

  private ownedBy(subject: Subject, devices: readonly LinkedDevice[]): LinkedDevice[] {
    const addresses = subjectAddresses(subject);
    return devices.filter(({ properties }) => isSubjectAddress(valueAtPath(properties, this.ownerProperty), addresses));
  }

  /**
   * Every device with its property values: the device list (one call per 100 devices) and each
   * device's properties (one call per device), N + N/100 calls under the service's concurrency
   * limit. Fine for hundreds or a few thousand devices; a bigger fleet should keep the owner link
   * in Digital Twins or IoT Hub tags. Devices gone between listing and reading are left out.
   */
  private async devicesWithProperties(context: AdapterCallContext, skipped: ReadonlySet<string> = new Set()): Promise<LinkedDevice[]> {
    const all: LinkedDevice[] = [];
    for await (const page of this.api.devices(context)) {
      const read = await allOrNone(page.filter((device) => !skipped.has(device.id)), context, async (device, batch) => ({
        device,
        properties: await this.api.deviceProperties(device.id, batch),
      }));
      for (const { device, properties } of read) if (properties) all.push({ device, properties });
    }
    return all;
  }

  private async roleNames(context: AdapterCallContext): Promise<ReadonlyMap<string, string>> {
    const names = new Map<string, string>();
    for await (const page of this.api.roles(context)) {
      for (const role of page) if (role.displayName) names.set(role.id, role.displayName);
    }
    return names;
  }
}

/**
 * Runs `work` for every item at once (the ServiceCaller bounds how many are in flight) and,
 * when one fails, aborts the rest instead of leaving them calling the service in the background.
 */
async function allOrNone<T, R>(
  items: readonly T[],
  context: AdapterCallContext,
  work: (item: T, batch: AdapterCallContext) => Promise<R>,
): Promise<R[]> {
  const failed = new AbortController();
  const signal = context.signal ? AbortSignal.any([context.signal, failed.signal]) : failed.signal;
  const batch = { ...context, signal };
  return Promise.all(items.map((item) => work(item, batch).catch((error: unknown) => {
    failed.abort();
    throw error;
  })));
}

/** An app user as a plan item: matched by its e-mail address. */
function userItem(user: ApiUser): PlanItem {
  return { type: 'user', id: user.id, reason: 'email' };
}

/** The user as exported: the API's fields with each role assignment's role name beside its id. */
function userExport(user: ApiUser, roleNames: ReadonlyMap<string, string>): Record<string, unknown> {
  return {
    ...user,
    roles: (user.roles ?? []).map((assignment) => ({
      ...assignment,
      roleName: roleNames.get(assignment.role) ?? null,
    })),
  };
}
