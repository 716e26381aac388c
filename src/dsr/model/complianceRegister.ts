import { daysBetween, isoDay } from './deadlines';
import { subjectPseudonym } from './pseudonyms';
import { isOpen } from './stateMachine';
import { DeliveryRecipient, DsrRequest, REGIMES, REQUEST_KINDS, RequestKind, RequestState, Regime, SERVICE_LABELS, ServiceName, StepStatus } from './types';

/**
 * The DSR register: per request, what 11 CCR §7101 asks a business to keep for 24 months (date
 * of request, its nature, how it was made, date and nature of the response, basis for any
 * denial), plus what accountability adds: who verified and approved, extensions, the outcome per
 * system, and the recipients told (GDPR Art. 19). The subject appears only as request id and
 * pseudonym; approvers are staff acting officially and appear by name.
 *
 * Pure: the `report` card and `npm run register:export` both count from these rows, so the card's
 * numbers are the register's.
 */

/** One action by a named member of staff. */
export interface StaffAction {
  name: string;
  at: string;
}

export interface RegisterRow {
  requestId: string;
  subjectPseudonym: string;
  /** Date of the request. */
  receivedAt: string;
  /** Nature of the request. */
  kind: RequestKind;
  regime: Regime;
  /** How the request was made. */
  channel: string;
  filedBy: string;
  identityVerifiedBy: string;
  /** The due date before any extension, and now. */
  originalDueAt: string;
  dueAt: string;
  extensions: (StaffAction & { newDueAt: string; reason: string })[];
  state: RequestState;
  open: boolean;
  /** Open past its due date when the register was drawn up. */
  overdue: boolean;
  /** Date of the response: when the request closed; empty while open. */
  respondedAt: string;
  /** Calendar days from receipt to response; null while open. */
  daysToRespond: number | null;
  /** Nature of the response. */
  response: string;
  /** Whose chat the export link or receipt went to; empty until it was delivered. */
  deliveredTo: DeliveryRecipient | '';
  /** Basis for a denial: the reason the approver gave. */
  denialBasis: string;
  /** SHA-256 of the plan the approvals bind to; empty for requests filed before plans. */
  planHash: string;
  /** Delta rounds: each one's hash and outcome, `hash:approved`. */
  deltaRounds: string[];
  approvedBy: StaffAction[];
  rejectedBy: StaffAction[];
  serviceOutcomes: { service: ServiceName; status: StepStatus | 'not run'; count: number; at: string }[];
  /** GDPR Art. 19: the services a rectification, restriction or erasure was carried out in. */
  recipientsTold: string[];
  manualSteps: (StaffAction & { step: string; outcome: string })[];
  /** When retention replaced the subject's personal fields with the pseudonym; empty until then. */
  pseudonymisedAt: string;
}

const CHANGES: ReadonlySet<RequestKind> = new Set<RequestKind>(['rectify', 'restrict', 'erase']);

/**
 * The recipients a rectification, restriction or erasure was communicated to (GDPR Art. 19): the
 * services whose step ran. The bot's own records are the controller's, not a recipient's.
 */
export function recipientsTold(request: DsrRequest): ServiceName[] {
  if (!CHANGES.has(request.kind)) return [];
  return request.services.filter((service) => service !== 'botStore' && request.steps[service]?.status === 'done');
}

const DONE_RESPONSE: Record<RequestKind, string> = {
  access: 'copy of the data sent (delivered_to says to whom)',
  export: 'export package sent (delivered_to says to whom)',
  rectify: 'data corrected; receipt sent',
  restrict: 'processing restricted; receipt sent',
  erase: 'data erased; receipt sent',
};

function responseOf(request: DsrRequest): string {
  switch (request.state) {
    case 'completed':
      return DONE_RESPONSE[request.kind];
    case 'soft_deleted':
      return `data erased; receipt sent; account restorable until the purge${request.purgeAt ? ` on ${isoDay(new Date(request.purgeAt))}` : ''}`;
    case 'purged':
      return 'data erased; receipt sent; account purged';
    case 'account_restored':
      return 'data erased; receipt sent; Entra account restored before the purge';
    case 'restriction_lifted':
      return 'processing restricted; receipt sent; restriction since lifted';
    case 'rejected':
      return 'denied';
    case 'cancelled':
      return 'withdrawn by the requester before a decision';
    case 'failed_partially':
      return 'not yet answered: some services failed, retry pending';
    case 'awaiting_manual_steps':
      return 'not yet answered: manual steps to confirm';
    case 'awaiting_delta_approval':
      return 'not yet answered: items found beyond the approved plan await approval';
    case 'awaiting_service_export':
      return 'first package sent; the service export (system-generated logs) follows';
    default:
      return 'not yet answered';
  }
}

/** The register's row for one request, as it stands at `now`. */
export function registerRow(request: DsrRequest, options: { pseudonymKey: string; now: Date }): RegisterRow {
  const open = isOpen(request.state);
  const bySubject = request.requester.aadObjectId === request.subject.aadObjectId;
  const staff = (d: { by: { displayName: string }; at: string }): StaffAction => ({ name: d.by.displayName, at: d.at });
  const rejection = request.decisions.filter((d) => d.decision === 'reject');
  const respondedAt = open ? '' : request.closedAt ?? '';
  return {
    requestId: request.id,
    subjectPseudonym: subjectPseudonym(request, options.pseudonymKey),
    receivedAt: request.receivedAt,
    kind: request.kind,
    regime: request.regime,
    channel: request.channel,
    filedBy: bySubject ? 'the subject' : `privacy admin ${request.requester.displayName}`,
    identityVerifiedBy: bySubject ? 'Entra ID sign-in (Teams)' : `${request.requester.displayName}, privacy admin, against the Entra directory`,
    originalDueAt: request.extensions?.[0]?.previousDueAt ?? request.dueAt,
    dueAt: request.dueAt,
    extensions: (request.extensions ?? []).map((e) => ({ ...staff(e), newDueAt: e.newDueAt, reason: e.reason })),
    state: request.state,
    open,
    overdue: open && isoDay(options.now) > request.dueAt.slice(0, 10),
    respondedAt,
    daysToRespond: respondedAt ? daysBetween(new Date(request.receivedAt), new Date(respondedAt)) : null,
    response: responseOf(request),
    deliveredTo: request.deliveredTo ?? '',
    denialBasis: rejection.map((d) => d.reason ?? '').filter(Boolean).join('; '),
    planHash: request.planHash ?? '',
    deltaRounds: (request.deltas ?? []).map((round) => `${round.planHash}:${round.outcome ?? 'pending'}`),
    approvedBy: request.decisions.filter((d) => d.decision === 'approve').map(staff),
    rejectedBy: rejection.map(staff),
    serviceOutcomes: request.services.map((service) => {
      const step = request.steps[service];
      return { service, status: step?.status ?? 'not run', count: step?.count ?? 0, at: step?.at ?? '' };
    }),
    recipientsTold: recipientsTold(request).map((service) => SERVICE_LABELS[service]),
    manualSteps: Object.entries(request.manualSteps ?? {}).map(([step, record]) => ({ step, outcome: record.outcome, ...staff(record) })),
    pseudonymisedAt: request.pseudonymisedAt ?? '',
  };
}

/** The register, oldest request first. */
export function registerRows(requests: readonly DsrRequest[], options: { pseudonymKey: string; now: Date }): RegisterRow[] {
  return [...requests].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.id.localeCompare(b.id)).map((r) => registerRow(r, options));
}

/** The days after which a closed request no longer counts as recently closed. */
export const RECENT_DAYS = 30;

export interface Tally {
  total: number;
  open: number;
}

/** The counts the compliance channel's `report` shows. */
export interface RegisterSummary {
  asOf: string;
  total: number;
  open: number;
  overdue: number;
  /** Closed (answered, denied or withdrawn) within the last RECENT_DAYS days. */
  closedRecently: number;
  /** Median calendar days from receipt to response of those; null when none closed. */
  medianDaysToClose: number | null;
  byKind: Record<RequestKind, Tally>;
  byRegime: Record<Regime, Tally>;
}

export function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function tally<K extends string>(keys: readonly K[], rows: readonly RegisterRow[], keyOf: (row: RegisterRow) => K): Record<K, Tally> {
  const result = Object.fromEntries(keys.map((k) => [k, { total: 0, open: 0 }])) as Record<K, Tally>;
  for (const row of rows) {
    result[keyOf(row)].total++;
    if (row.open) result[keyOf(row)].open++;
  }
  return result;
}

/** Counts over register rows: the same rows the CSV holds, so the two always agree. */
export function registerSummary(rows: readonly RegisterRow[], now: Date): RegisterSummary {
  const recent = rows.filter((r) => r.respondedAt && daysBetween(new Date(r.respondedAt), now) <= RECENT_DAYS);
  return {
    asOf: now.toISOString(),
    total: rows.length,
    open: rows.filter((r) => r.open).length,
    overdue: rows.filter((r) => r.overdue).length,
    closedRecently: recent.length,
    medianDaysToClose: median(recent.map((r) => r.daysToRespond ?? 0)),
    byKind: tally(REQUEST_KINDS, rows, (r) => r.kind),
    byRegime: tally(REGIMES, rows, (r) => r.regime),
  };
}

/** The CSV columns, in order, with how each is written. */
const COLUMNS = [
  ['request_id', (r) => r.requestId],
  ['subject_pseudonym', (r) => r.subjectPseudonym],
  ['received_at', (r) => r.receivedAt],
  ['kind', (r) => r.kind],
  ['regime', (r) => r.regime],
  ['channel', (r) => r.channel],
  ['filed_by', (r) => r.filedBy],
  ['identity_verified_by', (r) => r.identityVerifiedBy],
  ['original_due_at', (r) => r.originalDueAt],
  ['due_at', (r) => r.dueAt],
  ['extensions', (r) => r.extensions.map((e) => `${e.at} by ${e.name} to ${e.newDueAt}: ${e.reason}`).join('; ')],
  ['state', (r) => r.state],
  ['open', (r) => String(r.open)],
  ['overdue', (r) => String(r.overdue)],
  ['responded_at', (r) => r.respondedAt],
  ['days_to_respond', (r) => (r.daysToRespond === null ? '' : String(r.daysToRespond))],
  ['response', (r) => r.response],
  ['delivered_to', (r) => r.deliveredTo],
  ['denial_basis', (r) => r.denialBasis],
  ['plan_sha256', (r) => r.planHash],
  ['delta_rounds', (r) => r.deltaRounds.join('; ')],
  ['approved_by', (r) => r.approvedBy.map((a) => `${a.name} (${a.at})`).join('; ')],
  ['rejected_by', (r) => r.rejectedBy.map((a) => `${a.name} (${a.at})`).join('; ')],
  ['service_outcomes', (r) => r.serviceOutcomes.map((s) => `${s.service}: ${s.status} (${s.count})`).join('; ')],
  ['recipients_told', (r) => r.recipientsTold.join('; ')],
  ['manual_steps', (r) => r.manualSteps.map((m) => `${m.step}: ${m.outcome} by ${m.name} (${m.at})`).join('; ')],
  ['pseudonymised_at', (r) => r.pseudonymisedAt],
] as const satisfies readonly (readonly [string, (row: RegisterRow) => string])[];

/** A CSV column's stable identifier (`request_id`): what the JSON and scripts know it by. */
export type RegisterColumn = (typeof COLUMNS)[number][0];

export const REGISTER_COLUMNS: readonly RegisterColumn[] = COLUMNS.map(([name]) => name);

/**
 * One CSV field (RFC 4180). A field a spreadsheet would run as a formula (=, +, -, @, tab or CR
 * first: free text such as a denial basis) is written with a leading apostrophe.
 */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The register as CSV: a header line, then one line per request, CRLF line ends. `headers`: the
 * column titles in the reader's language (the domain has no words); none: the column identifiers.
 */
export function registerCsv(rows: readonly RegisterRow[], headers?: Readonly<Record<RegisterColumn, string>>): string {
  const header = REGISTER_COLUMNS.map((column) => csvField(headers?.[column] ?? column)).join(',');
  const lines = [header, ...rows.map((row) => COLUMNS.map(([, value]) => csvField(value(row))).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** The register as JSON, the rows with their lists and outcomes unflattened. */
export function registerJson(rows: readonly RegisterRow[], now: Date): string {
  return `${JSON.stringify({ generatedAt: now.toISOString(), count: rows.length, requests: rows }, null, 2)}\n`;
}
