import { Client } from '@microsoft/microsoft-graph-client';
import { AdapterCallContext, checkProfileCorrection, DiscoveryResult, ExportFile, ItemOutcome, ItemResult, PlanItem, ServiceAdapter, ServiceError, statusCodeOf, StepReport, StepSummary, Subject } from '../../dsr';
import { GraphBatchReads } from '../calls/graphBatch';
import { startedEarly } from '../exportStreams';
import { changedCount, outcomeOf } from '../planItems';
import { UserRecord, type UserRecordOptions } from './userRecord';

/** Profile properties exported to the subject. */
const PROFILE_FIELDS = [
  'id',
  'userPrincipalName',
  'mail',
  'displayName',
  'givenName',
  'surname',
  'jobTitle',
  'department',
  'officeLocation',
  'mobilePhone',
  'businessPhones',
  'preferredLanguage',
  'accountEnabled',
  'userType',
  'externalUserState',
  'creationType',
  'companyName',
  'employeeId',
  'employeeType',
  'streetAddress',
  'city',
  'state',
  'postalCode',
  'country',
  'usageLocation',
];

/** The plan reason of a guest's account: erasing it deletes the account here, never in the guest's home tenant. */
export const GUEST_ACCOUNT = 'account:guest';



/**
 * Entra ID through Microsoft Graph: the user's profile. Erasure is a soft delete, restorable until
 * the bot's purge after the grace period (DSR_PURGE_GRACE_DAYS) removes the account for good.
 */
export class EntraAdapter implements ServiceAdapter {
  readonly service = 'entra' as const;

  private readonly record: UserRecord;
  /** Discovery's and export's reads, batched with other requests' (`$batch`); changes are sent alone. */
  private readonly reads: GraphBatchReads;

  /**
   * `purgeGraceDays`: days a soft-deleted account stays restorable before the bot purges it, as
   * step summaries say; `coalesceWindowMs`: how long a read waits to share a batch (DSR_COALESCE_WINDOW_MS).
   */
  constructor(private readonly graph: Client, private readonly options: UserRecordOptions & { purgeGraceDays: number; coalesceWindowMs?: number }) {
    this.reads = new GraphBatchReads(graph, { windowMs: options.coalesceWindowMs });
    this.record = new UserRecord(this.reads, options);
  }

  /**
   * The plan is the account itself; the items also count the rest of the record, for the approval
   * card. The profile and the record are read together (one batch); for an account that is not
   * there, the record's reads are dropped.
   */
  async discover(subject: Subject): Promise<DiscoveryResult> {
    const record = startedEarly(this.record.counts(subject.aadObjectId));
    const user = await this.profile(subject);
    if (!user) return { count: 0, plan: [], items: [] };
    const guest = user.userType === 'Guest';
    const counts = await this.read(() => record);
    return {
      count: 1,
      plan: [{ type: 'user', id: subject.aadObjectId, reason: guest ? GUEST_ACCOUNT : 'account' }],
      items: [{ code: 'entra.userProfile', guest }, ...counts],
    };
  }

  /** The profile and the first page of every part of the record are read together (one batch). */
  async *export(subject: Subject): AsyncIterable<ExportFile> {
    const record = this.record.files(subject.aadObjectId);
    const user = await this.profile(subject);
    if (!user) return;
    yield { path: 'profile.json', content: user };
    try {
      yield* record;
    } catch (error) {
      throw this.failure(error);
    }
  }

  async rectify(subject: Subject, corrections: Record<string, string>, context: AdapterCallContext): Promise<StepReport> {
    const patch = profilePatch(corrections);
    const fields = Object.keys(patch);
    if (context.plan) {
      if (fields.length === 0) return planReport(context.plan.map((item) => outcomeOf(item, 'kept')), () => NO_FIELD);
      const items = await this.changePlanned(context.plan, 'changed', (account) => account.patch(patch));
      return planReport(items, (result) => (result === 'changed' ? { code: 'entra.corrected', fields } : ALREADY_DELETED));
    }
    if (fields.length === 0) return { summary: NO_FIELD, count: 0 };
    await this.call(() => this.account(subject.aadObjectId).patch(patch));
    return { summary: { code: 'entra.corrected', fields }, count: fields.length };
  }

  /** Blocks sign-in and revokes the sign-in sessions already open, so a refresh token cannot keep the subject signed in. */
  async restrict(subject: Subject, context: AdapterCallContext): Promise<StepReport> {
    // Sign-in blocked first, so no new session starts while the open ones are revoked.
    const block = async (account: ReturnType<EntraAdapter['account']>, objectId: string) => {
      await account.patch({ accountEnabled: false });
      await this.graph.api(`/users/${encodeURIComponent(objectId)}/revokeSignInSessions`).post(undefined);
    };
    if (context.plan) {
      const items = await this.changePlanned(context.plan, 'changed', block);
      return planReport(items, (result) => (result === 'changed' ? RESTRICTED : ALREADY_DELETED));
    }
    await this.call(() => block(this.account(subject.aadObjectId), subject.aadObjectId));
    return { summary: RESTRICTED, count: 1 };
  }

  /** Lets the subject sign in again (`accountEnabled` back to true); the revoked sessions stay revoked. */
  async liftRestriction(_subject: Subject, restricted: readonly ItemOutcome[]): Promise<StepReport> {
    const users = restricted.filter((item) => item.type === 'user').map((item) => ({ ...item, reason: 'account' }));
    const items = await this.changePlanned(users, 'changed', (account) => account.patch({ accountEnabled: true }));
    return planReport(items, (result) => ({ code: result === 'changed' ? 'entra.signInAllowed' : 'entra.noLongerThere' }));
  }

  /** Restores the soft-deleted account from deleted items; Graph answers 404 once it has been purged. */
  async restore(subject: Subject): Promise<StepReport> {
    await this.call(() => this.graph.api(`/directory/deletedItems/${encodeURIComponent(subject.aadObjectId)}/restore`).post(undefined));
    return { summary: { code: 'entra.restored' }, count: 1 };
  }

  async erase(subject: Subject, context: AdapterCallContext): Promise<StepReport> {
    if (context.plan) {
      const items = await this.changePlanned(context.plan, 'removed', (account) => account.delete());
      const guest = context.plan.some((item) => item.reason === GUEST_ACCOUNT);
      const grace = this.options.purgeGraceDays;
      const summarise = (result: ItemResult): StepSummary => ({ code: 'entra.softDeleted', graceDays: grace, alreadyGone: result === 'alreadyGone', guest });
      // Gone already or soft-deleted now, a planned account may sit in deleted items: the purge still follows.
      return { ...planReport(items, summarise), ...(items.length > 0 && { awaitsPurge: true }) };
    }
    const gone = await this.call(() => this.account(subject.aadObjectId).delete(), { notFoundIsDone: true });
    return { summary: { code: 'entra.softDeleted', graceDays: this.options.purgeGraceDays, alreadyGone: gone === 'absent', guest: false }, count: 1, awaitsPurge: true };
  }

  async purge(subject: Subject): Promise<StepReport> {
    await this.call(() => this.graph.api(`/directory/deletedItems/${encodeURIComponent(subject.aadObjectId)}`).delete(), {
      notFoundIsDone: true,
    });
    return { summary: { code: 'entra.purged' }, count: 1 };
  }

  /**
   * Applies `change` to each planned account (only ever the subject's own) by its object id; a 404
   * means it is gone already. There is never a delta: the plan names the account by its object
   * id, which never changes, and no other account can come to be the subject's.
   */
  private async changePlanned(
    plan: readonly PlanItem[],
    result: ItemResult,
    change: (account: ReturnType<EntraAdapter['account']>, objectId: string) => Promise<unknown>,
  ): Promise<ItemOutcome[]> {
    const items: ItemOutcome[] = [];
    for (const item of plan) {
      const done = await this.call(() => change(this.account(item.id), item.id), { notFoundIsDone: true });
      items.push(outcomeOf(item, done === 'absent' ? 'alreadyGone' : result));
    }
    return items;
  }

  private account(objectId: string) {
    return this.graph.api(`/users/${encodeURIComponent(objectId)}`);
  }

  private async profile(subject: Subject): Promise<Record<string, unknown> | undefined> {
    try {
      const user = (await this.reads.get(`/users/${encodeURIComponent(subject.aadObjectId)}?$select=${PROFILE_FIELDS.join(',')}`)) as Record<string, unknown>;
      delete user['@odata.context'];
      return user;
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw this.failure(error);
    }
  }

  /** Runs one read, its failure a ServiceError. */
  private async read<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** Runs one write; a 404 counts as done where the goal is that something is gone. */
  private async call(work: () => Promise<unknown>, options: { notFoundIsDone?: boolean } = {}): Promise<'done' | 'absent'> {
    try {
      await work();
      return 'done';
    } catch (error) {
      if (options.notFoundIsDone && statusCodeOf(error) === 404) return 'absent';
      throw this.failure(error);
    }
  }

  /** The error as a ServiceError (one raised already, e.g. a repeated page, stays as it is). */
  private failure(error: unknown): ServiceError {
    if (error instanceof ServiceError) return error;
    const e = error as { statusCode?: number; code?: string };
    return new ServiceError('entra', 'Microsoft Graph refused the call', e.statusCode, e.code);
  }
}

/**
 * The Graph PATCH body of the corrections that pass the domain's check (nothing else is written);
 * `businessPhones` is a collection in Graph, holding the one number it accepts.
 */
function profilePatch(corrections: Record<string, string>): Record<string, string | string[]> {
  const patch: Record<string, string | string[]> = {};
  for (const [field, raw] of Object.entries(corrections)) {
    const checked = checkProfileCorrection(field, raw);
    if (checked.ok) patch[checked.field] = checked.field === 'businessPhones' ? [checked.value] : checked.value;
  }
  return patch;
}

/** A plan's step report: the outcomes, `summarise`d by the planned account's (an empty plan does nothing). */
function planReport(items: ItemOutcome[], summarise: (result: ItemResult) => StepSummary): StepReport {
  return { summary: items.length > 0 ? summarise(items[0].result) : { code: 'entra.noAccountInPlan' }, count: changedCount(items), items, delta: [] };
}

const RESTRICTED: StepSummary = { code: 'entra.restricted' };
const ALREADY_DELETED: StepSummary = { code: 'entra.alreadyDeleted' };
const NO_FIELD: StepSummary = { code: 'entra.noFieldToCorrect' };
