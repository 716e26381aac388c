import { Client } from '@microsoft/microsoft-graph-client';
import { ExportFile, ServiceAdapter, ServiceError, StepReport } from '../dsr/serviceAdapter';
import { DiscoveryResult, Subject } from '../dsr/types';
import { statusCodeOf } from '../dsr/failures';

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
];

/** Profile properties a person may have corrected through a request. */
export const RECTIFIABLE_FIELDS = ['displayName', 'jobTitle', 'department', 'officeLocation', 'mobilePhone'] as const;

/**
 * Entra ID through Microsoft Graph: the user's profile. Erasure is a soft delete (restorable for
 * 30 days); the purge after the grace period removes the account for good.
 */
export class EntraAdapter implements ServiceAdapter {
  readonly service = 'entra' as const;

  constructor(private readonly graph: Client) {}

  async discover(subject: Subject): Promise<DiscoveryResult> {
    const user = await this.profile(subject);
    return user ? { count: 1, items: ['1 user profile'] } : { count: 0, items: [] };
  }

  async *export(subject: Subject): AsyncIterable<ExportFile> {
    const user = await this.profile(subject);
    if (user) yield { path: 'profile.json', content: user };
  }

  async rectify(subject: Subject, corrections: Record<string, string>): Promise<StepReport> {
    const fields = Object.keys(corrections).filter((f) => (RECTIFIABLE_FIELDS as readonly string[]).includes(f));
    if (fields.length === 0) return { summary: 'no profile field to correct', count: 0 };
    await this.call(() => this.user(subject).patch(Object.fromEntries(fields.map((f) => [f, corrections[f]]))));
    return { summary: `corrected ${fields.join(', ')}`, count: fields.length };
  }

  async restrict(subject: Subject): Promise<StepReport> {
    await this.call(() => this.user(subject).patch({ accountEnabled: false }));
    return { summary: 'sign-in blocked', count: 1 };
  }

  async erase(subject: Subject): Promise<StepReport> {
    const gone = await this.call(() => this.user(subject).delete(), { notFoundIsDone: true });
    return {
      summary: gone === 'absent' ? 'account already deleted' : 'account soft-deleted (restorable for 30 days until purged)',
      count: 1,
      awaitsPurge: true,
    };
  }

  async purge(subject: Subject): Promise<StepReport> {
    await this.call(() => this.graph.api(`/directory/deletedItems/${encodeURIComponent(subject.aadObjectId)}`).delete(), {
      notFoundIsDone: true,
    });
    return { summary: 'account permanently deleted', count: 1 };
  }

  private user(subject: Subject) {
    return this.graph.api(`/users/${encodeURIComponent(subject.aadObjectId)}`);
  }

  private async profile(subject: Subject): Promise<Record<string, unknown> | undefined> {
    try {
      const user = (await this.user(subject).select(PROFILE_FIELDS).get()) as Record<string, unknown>;
      delete user['@odata.context'];
      return user;
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
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

  private failure(error: unknown): ServiceError {
    const e = error as { statusCode?: number; code?: string };
    return new ServiceError('entra', 'Microsoft Graph refused the call', e.statusCode, e.code);
  }
}
