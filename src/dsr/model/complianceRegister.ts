import { daysBetween, isoDay } from './deadlines';
import { subjectPseudonym } from './pseudonyms';
import { isOpen } from './stateMachine';
import { DeliveryRecipient, DsrRequest, REGIMES, REQUEST_KINDS, RequestKind, RequestState, Regime, ServiceName, StepStatus } from './types';

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
  /** Who filed it: the subject themselves, or a privacy admin on their behalf (named in `filedByName`). */
  filedBy: 'subject' | 'privacyAdmin';
  filedByName: string;
  /** How the subject's identity was verified: their own Entra sign-in, or the filing admin against the directory. */
  identityVerifiedBy: 'teamsSignIn' | 'privacyAdminAgainstDirectory';
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
  /** Nature of the response, as a code (worded in the reader's language where the CSV is written). */
  response: RegisterResponse;
  /** When a soft-deleted account is purged; empty otherwise. */
  purgeAt: string;
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
  recipientsTold: ServiceName[];
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

/** The nature of the response, by what the request reached. */
export const REGISTER_RESPONSES = [
  'accessSent', 'exportSent', 'corrected', 'restricted', 'erased', 'erasedRestorable', 'erasedPurged', 'erasedAccountRestored',
  'restrictionLifted', 'denied', 'withdrawn', 'retryPending', 'manualStepsPending', 'deltaPending', 'serviceExportFollows', 'notAnswered',
] as const;
export type RegisterResponse = (typeof REGISTER_RESPONSES)[number];

const DONE_RESPONSE: Record<RequestKind, RegisterResponse> = {
  access: 'accessSent',
  export: 'exportSent',
  rectify: 'corrected',
  restrict: 'restricted',
  erase: 'erased',
};

const STATE_RESPONSE: Partial<Record<RequestState, RegisterResponse>> = {
  soft_deleted: 'erasedRestorable',
  purged: 'erasedPurged',
  account_restored: 'erasedAccountRestored',
  restriction_lifted: 'restrictionLifted',
  rejected: 'denied',
  cancelled: 'withdrawn',
  failed_partially: 'retryPending',
  awaiting_manual_steps: 'manualStepsPending',
  awaiting_delta_approval: 'deltaPending',
  awaiting_service_export: 'serviceExportFollows',
};

function responseOf(request: DsrRequest): RegisterResponse {
  if (request.state === 'completed') return DONE_RESPONSE[request.kind];
  return STATE_RESPONSE[request.state] ?? 'notAnswered';
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
    filedBy: bySubject ? 'subject' : 'privacyAdmin',
    filedByName: bySubject ? '' : request.requester.displayName,
    identityVerifiedBy: bySubject ? 'teamsSignIn' : 'privacyAdminAgainstDirectory',
    originalDueAt: request.extensions?.[0]?.previousDueAt ?? request.dueAt,
    dueAt: request.dueAt,
    extensions: (request.extensions ?? []).map((e) => ({ ...staff(e), newDueAt: e.newDueAt, reason: e.reason })),
    state: request.state,
    open,
    overdue: open && isoDay(options.now) > request.dueAt.slice(0, 10),
    respondedAt,
    daysToRespond: respondedAt ? daysBetween(new Date(request.receivedAt), new Date(respondedAt)) : null,
    response: responseOf(request),
    purgeAt: request.state === 'soft_deleted' && request.purgeAt ? isoDay(new Date(request.purgeAt)) : '',
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
    recipientsTold: recipientsTold(request),
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

/**
 * The words of the register's CSV in one language: column titles, and the cells that are prose
 * for a reader (who filed, how identity was verified, the response, the services told). The
 * domain has no words; storage passes them in from the catalog.
 */
export interface RegisterWording {
  headers: Readonly<Record<RegisterColumn, string>>;
  filedBy(row: RegisterRow): string;
  identityVerifiedBy(row: RegisterRow): string;
  response(row: RegisterRow): string;
  service(service: ServiceName): string;
  /** `at by name to newDueAt: reason` and `step: outcome by name (at)`, joined as the language joins them. */
  extension(extension: RegisterRow['extensions'][number]): string;
  manualStep(step: RegisterRow['manualSteps'][number]): string;
}

/** The CSV columns, in order, with how each is written. */
const COLUMNS = [
  ['request_id', (r) => r.requestId],
  ['subject_pseudonym', (r) => r.subjectPseudonym],
  ['received_at', (r) => r.receivedAt],
  ['kind', (r) => r.kind],
  ['regime', (r) => r.regime],
  ['channel', (r) => r.channel],
  ['filed_by', (r, w) => w.filedBy(r)],
  ['identity_verified_by', (r, w) => w.identityVerifiedBy(r)],
  ['original_due_at', (r) => r.originalDueAt],
  ['due_at', (r) => r.dueAt],
  ['extensions', (r, w) => r.extensions.map((e) => w.extension(e)).join('; ')],
  ['state', (r) => r.state],
  ['open', (r) => String(r.open)],
  ['overdue', (r) => String(r.overdue)],
  ['responded_at', (r) => r.respondedAt],
  ['days_to_respond', (r) => (r.daysToRespond === null ? '' : String(r.daysToRespond))],
  ['response', (r, w) => w.response(r)],
  ['delivered_to', (r) => r.deliveredTo],
  ['denial_basis', (r) => r.denialBasis],
  ['plan_sha256', (r) => r.planHash],
  ['delta_rounds', (r) => r.deltaRounds.join('; ')],
  ['approved_by', (r) => r.approvedBy.map((a) => `${a.name} (${a.at})`).join('; ')],
  ['rejected_by', (r) => r.rejectedBy.map((a) => `${a.name} (${a.at})`).join('; ')],
  ['service_outcomes', (r) => r.serviceOutcomes.map((s) => `${s.service}: ${s.status} (${s.count})`).join('; ')],
  ['recipients_told', (r, w) => r.recipientsTold.map((service) => w.service(service)).join('; ')],
  ['manual_steps', (r, w) => r.manualSteps.map((m) => w.manualStep(m)).join('; ')],
  ['pseudonymised_at', (r) => r.pseudonymisedAt],
] as const satisfies readonly (readonly [string, (row: RegisterRow, wording: RegisterWording) => string])[];

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

/** The register as CSV in one language: a header line, then one line per request, CRLF line ends. */
export function registerCsv(rows: readonly RegisterRow[], wording: RegisterWording): string {
  const header = REGISTER_COLUMNS.map((column) => csvField(wording.headers[column])).join(',');
  const lines = [header, ...rows.map((row) => COLUMNS.map(([, value]) => csvField(value(row, wording))).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** The register as JSON, the rows with their lists and outcomes unflattened. */
export function registerJson(rows: readonly RegisterRow[], now: Date): string {
  return `${JSON.stringify({ generatedAt: now.toISOString(), count: rows.length, requests: rows }, null, 2)}\n`;
}
