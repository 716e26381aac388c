import type { Clock } from '../dsr';

/** Who may open the dashboard: approvers, and compliance officers (who see subjects by pseudonym only). */
export type TabRole = 'approver' | 'complianceOfficer';

export interface TabAccessDeps {
  /** The approvers' group, through the bot's directory (EntraDirectory.isApprover). */
  isApprover(aadObjectId: string): Promise<boolean>;
  /** The compliance officers' group, as the bot checks it. */
  isComplianceOfficer(aadObjectId: string): Promise<boolean>;
  clock: Clock;
}

/** How long a person's role is kept before the groups are asked again: a removed member loses access within it. */
const ROLE_MS = 60_000;

/** The role of a signed-in person, from the groups in the directory; undefined for everyone else. */
export class TabAccess {
  private readonly roles = new Map<string, { role: TabRole | undefined; until: number }>();

  constructor(private readonly deps: TabAccessDeps) {}

  async roleOf(aadObjectId: string): Promise<TabRole | undefined> {
    const now = this.deps.clock.now().getTime();
    const known = this.roles.get(aadObjectId);
    if (known && known.until > now) return known.role;
    const [approver, officer] = await Promise.all([this.deps.isApprover(aadObjectId), this.deps.isComplianceOfficer(aadObjectId)]);
    // Someone in both groups acts as an approver.
    const role: TabRole | undefined = approver ? 'approver' : officer ? 'complianceOfficer' : undefined;
    if (this.roles.size > 10_000) this.roles.clear();
    this.roles.set(aadObjectId, { role, until: now + ROLE_MS });
    return role;
  }
}
