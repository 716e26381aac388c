/**
 * The answers of the tab's API (/tab/api/*) as the web app reads them: the contract between the
 * server (src/tab/) and this app. Codes, never words: the app words them from the tab catalog.
 */

export type Urgency = 'ok' | 'soon' | 'urgent' | 'overdue';
export type Role = 'approver' | 'complianceOfficer';
export type TabLocale = 'en' | 'de' | 'fr' | 'es';

export interface TabConfig {
  signIn: 'teams' | 'sandbox';
  authorizeUrl?: string;
  clientId: string;
  scope: string;
  tenantId: string;
}

export interface Me {
  role: Role;
  displayName: string;
  locale: TabLocale;
}

export interface QueueRow {
  id: string;
  kind: string;
  regime: string;
  state: string;
  receivedAt: string;
  dueAt: string;
  daysLeft: number;
  urgency: Urgency;
  /** The register's pseudonym, never the name. */
  subject: string;
}

export interface Queue {
  asOf: string;
  requests: QueueRow[];
}

export interface RequestDetail extends Omit<QueueRow, 'subject'> {
  subject: { pseudonym: string; displayName?: string };
  timeline: { at: string; event: string; by?: string }[];
  chainVerified: boolean;
  extensions: { at: string; newDueAt: string; reason: string }[];
  manualSteps: { service: string; task: string; done: boolean }[];
  /** Approvers only. */
  steps?: { service: string; status: string; items: number }[];
  /** Approvers only. */
  plan?: { service: string; items: number }[];
}

export interface Charts {
  asOf: string;
  perWeek: ({ week: string } & Record<'access' | 'export' | 'rectify' | 'restrict' | 'erase', number>)[];
  daysToClose: { month: string; closed: number; median: number | null; p90: number | null }[];
  withinDeadline: { month: string; closed: number; withinDeadline: number; share: number | null }[];
  openPerService: { service: string; open: number }[];
}

export interface AuditState {
  lastDigest: { sequence: number; at: string } | null;
  lastVerification: { at: string; ok: boolean } | null;
}

/** The error body of every non-2xx answer. */
export interface ApiErrorBody {
  error: { code: 'Unauthenticated' | 'NoAccess' | 'NotFound' | string };
}
