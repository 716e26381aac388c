import { type DiscoveryLine, type EntraRelation, type ExportFile, statusCodeOf, streamedArray } from '../../dsr';
import type { GraphBatchReads } from '../calls/graphBatch';
import { nonEmpty, startedEarly } from '../exportStreams';
import { countGraphItems, graphItems } from './graphItems';

/** Items per Graph page: at most 999 for these collections; 100 keeps a page small. */
const DEFAULT_PAGE_SIZE = 100;

const GROUP = '#microsoft.graph.group';
const DIRECTORY_ROLE = '#microsoft.graph.directoryRole';

/** Graph's answer when the tenant has no Entra ID P1/P2 licence for `signInActivity`. */
export const NON_PREMIUM_TENANT = 'Authentication_RequestFromNonPremiumTenantOrB2CTenant';

/** How much of the record the adapter reads beyond the profile. */
export interface UserRecordOptions {
  /** Read `signInActivity` (needs AuditLog.Read.All and a P1/P2 licence), `DSR_ENTRA_SIGNIN_ACTIVITY`. */
  readonly signInActivity: boolean;
  /** Items per page (`$top`), 100 unless told. */
  readonly pageSize?: number;
}

/**
 * The parts of a user's Entra record beyond the profile: memberships (transitive), manager and
 * direct reports, app role assignments, phone and e-mail authentication methods, licences and
 * sign-in activity. Other people appear by object id only, never by name. Everything is read with
 * application permissions: a user's devices are not (Graph lists `ownedDevices` and
 * `registeredDevices`, like `licenseDetails`, for delegated callers only), and the licences come
 * from the user's own `assignedLicenses` and `assignedPlans`.
 */
export class UserRecord {
  private readonly pageSize: number;

  constructor(private readonly reads: GraphBatchReads, private readonly options: UserRecordOptions) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  /**
   * What discovery names besides the profile, e.g. 4 group memberships; only what is there. The
   * reads start together, so their first pages share a batch.
   */
  async counts(objectId: string): Promise<DiscoveryLine[]> {
    const base = userPath(objectId);
    const count = (relation: string) => countGraphItems(this.reads, `${base}/${relation}`, this.pageSize);
    const [{ groups, roles }, reports, assignments, phones, emails, licences, manager] = await Promise.all([
      this.memberships(base), count('directReports'), count('appRoleAssignments'), count('authentication/phoneMethods'),
      count('authentication/emailMethods'), this.licences(objectId), this.managerId(objectId),
    ]);
    const counts: Array<[EntraRelation, number]> = [
      ['groupMemberships', groups],
      ['directoryRoles', roles],
      ['managers', manager ? 1 : 0],
      ['directReports', reports],
      ['appRoleAssignments', assignments],
      ['authenticationMethods', phones + emails],
      ['licences', licences.assignedLicenses.length],
    ];
    return counts.filter(([, count]) => count > 0).map(([relation, count]) => ({ code: 'entra.related', relation, count }));
  }

  /** How many groups and directory roles the user belongs to (transitively). */
  private async memberships(base: string): Promise<{ groups: number; roles: number }> {
    let groups = 0;
    let roles = 0;
    for await (const item of graphItems(this.reads, `${base}/transitiveMemberOf`, this.pageSize)) {
      if (item['@odata.type'] === GROUP) groups += 1;
      else if (item['@odata.type'] === DIRECTORY_ROLE) roles += 1;
    }
    return { groups, roles };
  }

  /**
   * The record's files, each written only when it holds something; large collections streamed.
   * Every part's first read starts now, in this tick, so they share one batch (with whatever else
   * the caller reads in the same tick); later pages are read as the package takes the items.
   */
  files(objectId: string): AsyncGenerator<ExportFile> {
    const base = userPath(objectId);
    const firstPage = (relation: string) => startedEarly(nonEmpty(graphItems(this.reads, `${base}/${relation}`, this.pageSize)));
    return this.filesOf({
      memberships: firstPage('transitiveMemberOf'),
      manager: startedEarly(this.managerId(objectId)),
      reports: firstPage('directReports'),
      assignments: firstPage('appRoleAssignments'),
      phones: firstPage('authentication/phoneMethods'),
      emails: firstPage('authentication/emailMethods'),
      licences: startedEarly(this.licences(objectId)),
      activity: startedEarly(this.signInActivity(objectId)),
    });
  }

  private async *filesOf(parts: RecordParts): AsyncGenerator<ExportFile> {
    const memberships = await parts.memberships;
    if (memberships) yield { path: 'memberships.json', content: streamedArray(mapItems(memberships, membership)) };

    const manager = await parts.manager;
    const reports = await parts.reports;
    if (manager || reports) {
      yield {
        path: 'manager-and-reports.json',
        content: { managerId: manager ?? null, directReportIds: streamedArray(mapItems(reports ?? none(), (user) => user.id)) },
      };
    }

    const assignments = await parts.assignments;
    if (assignments) yield { path: 'app-role-assignments.json', content: streamedArray(mapItems(assignments, withoutOData)) };

    // Only the phone and e-mail methods are read: never a password, key or authenticator secret.
    const phones = await parts.phones;
    const emails = await parts.emails;
    if (phones || emails) {
      yield {
        path: 'authentication-methods.json',
        content: { phoneMethods: streamedArray(mapItems(phones ?? none(), withoutOData)), emailMethods: streamedArray(mapItems(emails ?? none(), withoutOData)) },
      };
    }

    const licences = await parts.licences;
    if (licences.assignedLicenses.length > 0) yield { path: 'licenses.json', content: licences };

    const activity = await parts.activity;
    if (activity) yield { path: 'sign-in-activity.json', content: activity };
  }

  /** The licences assigned to the user and the service plans they give, from the user object (User.Read.All). */
  private async licences(objectId: string): Promise<{ assignedLicenses: unknown[]; assignedPlans: unknown[] }> {
    const user = (await this.reads.get(`${userPath(objectId)}?$select=assignedLicenses,assignedPlans`)) as Record<string, unknown[] | undefined>;
    return { assignedLicenses: user.assignedLicenses ?? [], assignedPlans: user.assignedPlans ?? [] };
  }

  /** The manager's object id; undefined when the user has none (Graph answers 404). */
  private async managerId(objectId: string): Promise<string | undefined> {
    try {
      const manager = (await this.reads.get(`${userPath(objectId)}/manager`)) as { id?: string };
      return manager.id;
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw error;
    }
  }

  /**
   * `signInActivity`, or undefined when it is not read: switched off, the tenant has no premium
   * licence, or the bot lacks AuditLog.Read.All (both 403). The package README then says so.
   */
  private async signInActivity(objectId: string): Promise<unknown> {
    if (!this.options.signInActivity) return undefined;
    try {
      const user = (await this.reads.get(`${userPath(objectId)}?$select=signInActivity`)) as { signInActivity?: unknown };
      return user.signInActivity ?? undefined;
    } catch (error) {
      if (statusCodeOf(error) === 403) return undefined;
      throw error;
    }
  }
}

type Items = AsyncIterable<Record<string, unknown>>;

/** The parts of the record as their reads answer: a collection's first page read, or undefined when empty. */
interface RecordParts {
  memberships: Promise<Items | undefined>;
  manager: Promise<string | undefined>;
  reports: Promise<Items | undefined>;
  assignments: Promise<Items | undefined>;
  phones: Promise<Items | undefined>;
  emails: Promise<Items | undefined>;
  licences: Promise<{ assignedLicenses: unknown[]; assignedPlans: unknown[] }>;
  activity: Promise<unknown>;
}

function userPath(objectId: string): string {
  return `/users/${encodeURIComponent(objectId)}`;
}

/** A group or directory role the user belongs to: its kind, id and name. */
function membership(item: Record<string, unknown>): Record<string, unknown> {
  const type = item['@odata.type'] === DIRECTORY_ROLE ? 'directoryRole' : 'group';
  return {
    type,
    id: item.id,
    displayName: item.displayName ?? null,
    ...(type === 'directoryRole' && { roleTemplateId: item.roleTemplateId ?? null }),
  };
}

/** An item without Graph's `@odata.*` annotations. */
function withoutOData(item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).filter(([key]) => !key.startsWith('@odata.')));
}

async function* mapItems<T, R>(items: AsyncIterable<T>, map: (item: T) => R): AsyncGenerator<R> {
  for await (const item of items) yield map(item);
}

/** An empty collection, for the half of a file that has nothing. */
async function* none(): AsyncGenerator<Record<string, unknown>> {}
