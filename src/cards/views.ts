import { approvalsNeeded, approvalsOf, type AuditHead, canConfirmManualSteps, canTake, daysBetween, DeltaRound, displayDay, DsrRequest, extensionChoice, followUpApprovalsNeeded, isLiftable, isSoftDeleted, liftRetryable, ManualStep, manualStepsOf, pendingDelta, Plan, PlanItem, planOf, planSize, RECENT_DAYS, recipientsTold, RegisterSummary, ReminderStage, RequestKind, RequestState, SERVICE_LABELS, ServiceExport, ServiceExportStatus, ServiceName, shortHash, StepOutcome, Tally } from '../dsr';
import { Card, plainText, renderCard } from './render';
import { discoveryText, manualStepInstructions, manualStepTitle } from './stepWords';
import { wordsFor } from '../i18n';

/** Until these cards speak the reader's language: discovery lines and manual steps in English. */
const ENGLISH = wordsFor('en');

export const KIND_TITLES: Record<RequestKind, string> = {
  access: 'See my data',
  export: 'Export my data',
  rectify: 'Correct my data',
  restrict: 'Restrict processing',
  erase: 'Delete my data',
};

const KIND_DESCRIPTIONS: Record<RequestKind, string> = {
  access: 'A summary of what each service holds about you, with the files behind it.',
  export: 'A portable copy of your data: one ZIP with a JSON file per service.',
  rectify: 'Have a wrong detail in your profile corrected.',
  restrict: 'Stop the use of your data: your sign-in is blocked until the restriction is lifted.',
  erase: 'Have your data removed from every service (two privacy admins must approve).',
};

const STATE_TEXT: Record<RequestState, string> = {
  submitted: 'Received: looking for your data.',
  discovering: 'Looking for the data in each service.',
  awaiting_approval: 'Waiting for a privacy admin to decide.',
  needs_info: 'The privacy team needs more information.',
  approved: 'Approved: about to start.',
  executing: 'Being carried out.',
  awaiting_manual_steps: 'The automated steps are done; a privacy admin is finishing a step by hand.',
  awaiting_delta_approval: 'The approved items are done. More was found than approved: it waits for its own approval.',
  awaiting_service_export: 'Your first package is ready; Microsoft is still preparing your system-generated logs, which follow as a second package.',
  completed: 'Completed.',
  failed_partially: 'Some services failed; the privacy team is retrying them.',
  soft_deleted: 'Completed. The account can still be restored until the purge date.',
  purged: 'Completed and purged for good.',
  account_restored: 'Completed; the Entra account was restored before the purge. What the other services erased stays erased.',
  restriction_lifted: 'Completed; the restriction was lifted and what it changed was put back.',
  rejected: 'Rejected.',
  cancelled: 'Cancelled.',
};

type Fact = { title: string; value: string };
type Notice = { text: string; color: 'Good' | 'Attention' | 'Warning' | 'Default' };

const time = (iso: string) => `${displayDay(iso)} ${iso.slice(11, 16)} UTC`;

/** The due date as shown, marked when an extension moved it. */
const dueText = (request: DsrRequest) => `${displayDay(request.dueAt)}${request.extensions?.length ? ' (extended)' : ''}`;

/** Per-item results as counts (never ids: this text goes to channels too). */
function itemCounts(step: StepOutcome): string {
  const items = step.items ?? [];
  const gone = items.filter((i) => i.result === 'alreadyGone').length;
  const kept = items.filter((i) => i.result === 'kept').length;
  const parts = [
    ...(gone ? [`${gone} already gone before execution`] : []),
    ...(kept ? [`${kept} kept`] : []),
    ...(step.delta?.length ? [`${step.delta.length} found beyond the approved plan, left alone`] : []),
  ];
  return parts.length ? `; ${parts.join('; ')}` : '';
}

/** A request waiting on a service export that only an approver's Retry can restart. */
const exportNeedsRetry = (request: DsrRequest) =>
  request.state === 'awaiting_service_export' && (request.serviceExport?.status === 'failed' || request.serviceExport?.status === 'unknown');

/** A service's own export as the cards show it: status and progress, no ids. */
const SERVICE_EXPORT_TEXT: Record<ServiceExportStatus, string> = {
  requested: 'export being requested',
  notStarted: 'export requested, not started yet',
  running: 'export running',
  complete: 'export delivered as a second package',
  failed: 'export failed: a privacy admin can retry it',
  unknown: 'export request unanswered: a privacy admin can retry it',
};

function serviceExportText(se: ServiceExport): string {
  const progress = se.status === 'running' || se.status === 'notStarted' ? ` (${Math.round(se.progress ?? 0)}%)` : '';
  return `${SERVICE_EXPORT_TEXT[se.status]}${progress}${se.lastPolledAt ? `, checked ${time(se.lastPolledAt)}` : ''}`;
}

function stepText(request: DsrRequest, service: ServiceName): string {
  if (request.serviceExport?.service === service && request.state !== 'executing') return serviceExportText(request.serviceExport);
  const step = request.steps[service];
  if (step) return step.status === 'failed' ? `failed: ${step.error ?? 'unknown error'}` : `${step.summary}${itemCounts(step)} (${time(step.at)})`;
  if (request.state === 'executing') return 'waiting';
  const found = request.discovery[service];
  if (!found) return request.state === 'discovering' || request.state === 'submitted' ? 'looking…' : 'not searched';
  if (found.error) return `could not be searched: ${found.error}`;
  return found.count === 0 ? 'nothing found' : found.items.map((line) => discoveryText(ENGLISH, line)).join(', ');
}

function serviceFacts(request: DsrRequest) {
  return request.services.map((s) => ({ label: SERVICE_LABELS[s], text: stepText(request, s) }));
}

/** The intake card for one kind of request. */
export function intakeCard(
  kind: RequestKind,
  options: { regime: string; services: ServiceName[]; graceDays: number; fields: { name: string; label: string }[]; onBehalfOf?: { aadObjectId: string; displayName: string } },
): Card {
  const onBehalf = options.onBehalfOf;
  return renderCard('intake', {
    kind,
    onBehalfOf: onBehalf?.aadObjectId ?? '',
    onBehalfName: onBehalf ? plainText(onBehalf.displayName, 120) : '',
    whose: onBehalf ? 'their' : 'your',
    whoseCapital: onBehalf ? 'Their' : 'Your',
    title: KIND_TITLES[kind],
    description: KIND_DESCRIPTIONS[kind],
    isErase: kind === 'erase',
    isRectify: kind === 'rectify',
    graceDays: options.graceDays,
    regime: options.regime,
    services: options.services.map((name) => ({ name, label: SERVICE_LABELS[name] })),
    allServices: options.services.join(','),
    fields: options.fields,
    submitTitle: kind === 'erase' ? 'Delete my data' : 'Send request',
    submitStyle: kind === 'erase' ? 'destructive' : 'positive',
  });
}

export function helpCard(): Card {
  return renderCard('help', {
    deadlines: 'GDPR: one month, CCPA: 45 days',
    kinds: (Object.keys(KIND_TITLES) as RequestKind[]).map((kind) => ({ kind, title: KIND_TITLES[kind], description: KIND_DESCRIPTIONS[kind] })),
  });
}

/** The requester's card in their 1:1 chat. */
export function statusCard(request: DsrRequest, notice?: Notice): Card {
  return renderCard('status', {
    id: request.id,
    kindTitle: KIND_TITLES[request.kind],
    stateText: STATE_TEXT[request.state],
    notice: notice ? plainText(notice.text) : '',
    noticeColor: notice?.color ?? 'Default',
    facts: [
      { title: 'Law', value: request.regime },
      { title: 'Received', value: displayDay(request.receivedAt) },
      { title: 'Due by', value: dueText(request) },
      ...(request.requester.aadObjectId !== request.subject.aadObjectId ? [{ title: 'About', value: plainText(request.subject.displayName) }] : []),
      ...(request.state === 'soft_deleted' && request.purgeAt ? [{ title: 'Restorable until', value: `${displayDay(request.purgeAt)}, then purged for good` }] : []),
    ],
    steps: request.state === 'submitted' ? [] : serviceFacts(request),
    cancellable: canTake(request.state, 'cancel'),
  });
}

/**
 * The approvers' card. It goes to a channel, so it carries ids, kinds, dates and counts, never
 * the subject's name, e-mail or object id; the buttons carry the request id only.
 */
export function approvalCard(request: DsrRequest, options: { erasureApprovals: number; notice?: Notice; readOnly?: boolean }): Card {
  const needed = approvalsNeeded(request, options.erasureApprovals);
  // After execution found more than the plan, approvers decide on that delta: the card is about it.
  const delta = request.state === 'awaiting_delta_approval' ? pendingDelta(request) : undefined;
  const approvals = approvalsOf(request, delta?.decisions ?? request.decisions);
  const facts: Fact[] = [
    { title: 'Received', value: displayDay(request.receivedAt) },
    { title: 'Due by', value: dueText(request) },
    { title: 'Filed', value: request.requester.aadObjectId === request.subject.aadObjectId ? 'by the subject, in chat' : 'by a privacy admin on the subject’s behalf' },
    { title: 'Approvals', value: `${approvals} of ${needed}` },
  ];
  if (request.kind === 'rectify' && request.corrections) facts.push({ title: 'To correct', value: Object.keys(request.corrections).join(', ') });
  facts.push(...lifecycleFacts(request, options.erasureApprovals));
  const lifecycle = lifecycleButtons(request, options.readOnly);
  const canDecide = !options.readOnly && (canTake(request.state, 'approve') || delta !== undefined);
  const extension = options.readOnly ? undefined : extensionChoice(request);
  const decided = [
    ...request.decisions.map((d) => ({ d, what: d.decision === 'approve' ? 'Approved' : 'Rejected' })),
    ...(request.deltas ?? []).flatMap((round) => round.decisions.map((d) => ({ d, what: d.decision === 'approve' ? 'Further items approved' : 'Further items rejected' }))),
  ];
  return renderCard('approval', {
    id: request.id,
    kindTitle: KIND_TITLES[request.kind],
    regime: request.regime,
    stateText: STATE_TEXT[request.state],
    notice: options.notice ? plainText(options.notice.text) : '',
    noticeColor: options.notice?.color ?? 'Default',
    facts,
    serviceHeading: ['awaiting_approval', 'needs_info', 'discovering', 'submitted', 'rejected', 'cancelled'].includes(request.state) ? 'Found' : 'Progress',
    services: serviceFacts(request),
    decisions: decided.map(({ d, what }) => ({
      title: `${what} by ${plainText(d.by.displayName, 80)}`,
      value: `${time(d.at)}${d.reason ? `: ${plainText(d.reason)}` : ''}`,
    })),
    planHash: delta?.planHash ?? request.planHash ?? '',
    planNote: planNote(request, delta),
    manualSteps: manualStepsOf(request).map((step) => ({
      key: step.key,
      requestId: request.id,
      title: plainText(manualStepTitle(ENGLISH, step), 200),
      serviceLabel: SERVICE_LABELS[step.service],
      // One block per line: a numbered list stays a list whatever the client does with markdown.
      instructionLines: manualStepInstructions(ENGLISH, step).split('\n').filter((line) => line.trim()).slice(0, 20).map((line) => ({ line: plainText(line, 400) })),
      statusText: manualStepStatus(step),
      confirmable: !options.readOnly && !step.record && canConfirmManualSteps(request),
    })),
    extensions: (request.extensions ?? []).map((e) => ({
      title: `Extended by ${plainText(e.by.displayName, 80)}`,
      value: `${time(e.at)}: from ${displayDay(e.previousDueAt)} to ${displayDay(e.newDueAt)}. Reason: ${plainText(e.reason)}`,
    })),
    canDecide,
    canRetry: !options.readOnly && (canTake(request.state, 'retryFailedSteps') || exportNeedsRetry(request)),
    ...lifecycle,
    showReason: canDecide || extension !== undefined,
    reasonLabel: !extension
      ? 'Reason (needed to reject, told to the requester)'
      : canDecide
        ? 'Reason (needed to reject or to extend; the requester is told it)'
        : 'Reason for an extension (the requester is told it)',
    extendMonths: extension?.unit === 'months' ? extension.choices.map((n) => ({ title: `${n} more month${n === 1 ? '' : 's'}`, value: String(n) })) : [],
    canExtend: extension !== undefined,
    extendTitle: extension?.unit === 'days' ? `Extend by ${extension.days} days` : 'Extend deadline',
  });
}

const RESTORE_NOTE = 'Restore brings back the Entra account only: what the other services erased stays erased.';

/** Restore, purge now and lift on the approvers' card: where each stands, by counts, dates and approvers' names. */
function lifecycleFacts(request: DsrRequest, erasureApprovals: number): Fact[] {
  const needed = followUpApprovalsNeeded(erasureApprovals);
  const facts: Fact[] = [];
  if (request.state === 'soft_deleted' && request.purgeAt) facts.push({ title: 'Restorable until', value: `${displayDay(request.purgeAt)}, then purged for good` });
  if (request.purgeNow?.length) facts.push({ title: 'Purge now', value: `${approvalsOf(request, request.purgeNow)} of ${needed} approvals: ${request.purgeNow.map((d) => plainText(d.by.displayName, 80)).join(', ')}` });
  if (request.restored) facts.push({ title: 'Account restored', value: `by ${plainText(request.restored.by.displayName, 80)}, ${time(request.restored.at)}. ${RESTORE_NOTE}` });
  const lift = request.lift;
  if (lift?.approvals.length) facts.push({ title: 'Lift restriction', value: `${approvalsOf(request, lift.approvals)} of ${needed} approvals: ${lift.approvals.map((d) => plainText(d.by.displayName, 80)).join(', ')}` });
  for (const [service, step] of Object.entries(lift?.steps ?? {}) as [ServiceName, StepOutcome][]) {
    facts.push({ title: `Lifted in ${SERVICE_LABELS[service]}`, value: step.status === 'failed' ? `failed: ${step.error ?? 'unknown error'}` : `${step.summary}${itemCounts(step)} (${time(step.at)})` });
  }
  return facts;
}

function lifecycleButtons(request: DsrRequest, readOnly: boolean | undefined) {
  const softDeleted = !readOnly && isSoftDeleted(request);
  const liftable = !readOnly && isLiftable(request) && (!request.lift?.approvedAt || liftRetryable(request.lift));
  return {
    canRestore: softDeleted,
    restoreNote: softDeleted ? RESTORE_NOTE : '',
    canPurgeNow: softDeleted,
    canLift: liftable,
    liftTitle: liftRetryable(request.lift) ? 'Retry lifting the restriction' : 'Lift restriction',
  };
}

/**
 * The plan in the channel: its size and the first 8 hex of its hash, never its items; approvers
 * read those in their own chat (`details`).
 */
function planNote(request: DsrRequest, delta: DeltaRound | undefined): string {
  if (delta) {
    return `Found at execution beyond the approved plan: ${planSize(delta.plan)} item(s), delta ${shortHash(delta.planHash)}. They are left untouched unless approved; "details ${request.id}" in your own chat with the bot lists each one and why it matched.`;
  }
  if (!request.planHash) return '';
  return `Plan ${shortHash(request.planHash)}: ${planSize(planOf(request.discovery))} item(s). Approving approves exactly these; "details ${request.id}" in your own chat with the bot lists each one and why it matched.`;
}

/** The plan and every delta round, item by item with the reason each matched: approvers' own chat only. */
function planGroups(request: DsrRequest): { heading: string; items: Fact[] }[] {
  const group = (heading: string, plan: Plan) =>
    (Object.entries(plan) as [ServiceName, PlanItem[]][]).map(([service, items]) => ({
      heading: `${heading}: ${SERVICE_LABELS[service]}`,
      items: items.slice(0, 200).map((item) => ({ title: item.type, value: `${plainText(item.id, 300)} (${plainText(item.reason, 120)})` })),
    }));
  return [
    ...(request.planHash ? group(`Plan ${shortHash(request.planHash)}`, planOf(request.discovery)) : []),
    ...(request.deltas ?? []).flatMap((round, i) =>
      group(`Found at execution, round ${i + 1}, delta ${shortHash(round.planHash)} (${round.outcome ?? 'awaiting a decision'})`, round.plan)),
  ];
}

function manualStepStatus(step: ManualStep): string {
  if (!step.record) return 'Not confirmed yet.';
  const how = step.record.outcome === 'done' ? 'Done' : 'Not applicable';
  return `${how}, confirmed by ${plainText(step.record.by.displayName, 80)} on ${time(step.record.at)}.`;
}

/** The download card, for the requester's 1:1 chat only. */
export function exportReadyCard(request: DsrRequest, link: { url: string; expiresAt: Date }, delivery = request.delivery): Card {
  return renderCard('exportReady', {
    id: request.id,
    url: link.url,
    facts: [
      { title: 'Services', value: request.services.map((s) => SERVICE_LABELS[s]).join(', ') },
      { title: 'Size', value: `${Math.max(1, Math.round((delivery?.bytes ?? 0) / 1024))} KB` },
      { title: 'SHA-256', value: delivery?.sha256 ?? '' },
      { title: 'Link expires', value: time(link.expiresAt.toISOString()) },
    ],
  });
}

/**
 * What was removed, corrected or restricted, per service, and the approvals it rests on; with
 * `auditHead`, where the request's audit chain stood as the receipt was made, for the requester to keep.
 */
export function receiptCard(request: DsrRequest, auditHead?: AuditHead): Card {
  const titles: Partial<Record<RequestKind, string>> = { erase: 'Erasure receipt', rectify: 'Correction receipt', restrict: 'Restriction receipt' };
  return renderCard('receipt', {
    title: `${titles[request.kind] ?? 'Receipt'}: ${request.id}`,
    intro: `Your ${KIND_TITLES[request.kind].toLowerCase()} request received on ${displayDay(request.receivedAt)} was carried out. Per service:`,
    services: request.services.map((s) => ({ label: SERVICE_LABELS[s], text: stepText(request, s) })),
    // GDPR Art. 19: the recipients told of a rectification, restriction or erasure, as the register records them.
    recipientsHeading: titles[request.kind] ? 'Services told of the change (GDPR Art. 19)' : '',
    recipientsText: recipientsTold(request).map((s) => SERVICE_LABELS[s]).join(', ') || 'None: no service held data to change.',
    manualSteps: manualStepsOf(request)
      .filter((step) => step.record)
      .map((step) => ({ title: plainText(manualStepTitle(ENGLISH, step), 200), value: `${step.record!.outcome === 'done' ? 'done' : 'not applicable'}, ${time(step.record!.at)}` })),
    approvals: [...request.decisions, ...(request.deltas ?? []).flatMap((round) => round.decisions)]
      .filter((d) => d.decision === 'approve')
      .map((d, i) => ({ title: `Approval ${i + 1}`, value: `a privacy admin, ${time(d.at)}${d.planHash ? `, of ${shortHash(d.planHash)}` : ''}` })),
    purgeNote: request.purgeAt ? `Your account can be restored until ${displayDay(request.purgeAt)}; after that it is deleted for good. A restore brings back the Entra account only: what the other services erased stays erased.` : '',
    planRecord: request.planHash ? `Approved plan: ${request.planHash}.` : '',
    auditRecord: auditHead
      ? `Audit record: ${auditHead.count} entries so far, the last with hash ${auditHead.hash}. Keep this receipt: an auditor can check the bot's record of your request against it.`
      : '',
  });
}

/**
 * Who a request is about and where it stands, for a privacy admin's own 1:1 chat (never a
 * channel): what they need to verify the person and to carry out a manual step.
 */
export function requestDetailsCard(request: DsrRequest): Card {
  return renderCard('requestDetails', {
    title: `${request.id}: ${KIND_TITLES[request.kind]} (${request.regime})`,
    subject: [
      { title: 'Name', value: plainText(request.subject.displayName, 120) },
      { title: 'E-mail', value: plainText(request.subject.email, 256) },
      { title: 'User principal name', value: plainText(request.subject.upn, 256) },
      { title: 'Entra object id', value: request.subject.aadObjectId },
    ],
    facts: [
      { title: 'State', value: STATE_TEXT[request.state] },
      { title: 'Filed by', value: request.requester.aadObjectId === request.subject.aadObjectId ? 'the subject, in chat' : plainText(request.requester.displayName, 120) },
      { title: 'Received', value: displayDay(request.receivedAt) },
      { title: 'Due by', value: dueText(request) },
    ],
    services: serviceFacts(request),
    planHeading: request.planHash ? 'What a change touches, item by item' : '',
    planGroups: planGroups(request),
  });
}

export function requestListCard(title: string, requests: DsrRequest[]): Card {
  return renderCard('requestList', {
    title,
    empty: 'You have no requests yet. Type help to start one.',
    requests: requests.map((r) => ({ id: r.id, text: `${KIND_TITLES[r.kind]}, ${r.state.replace(/_/g, ' ')}, due ${dueText(r)}` })),
  });
}

/**
 * The approvers' queue, for an approver's own 1:1 chat: open requests in the order given (soonest
 * due first), by id, kind, law, state and due date; `details <id>` says who a request is about.
 */
export function queueCard(requests: DsrRequest[], now: Date): Card {
  return renderCard('requestList', {
    title: `Open requests (${requests.length}), soonest due first`,
    empty: 'No requests are open.',
    requests: requests.map((r) => {
      const left = daysBetween(now, new Date(`${r.dueAt}T00:00:00Z`));
      const when = left < 0 ? `OVERDUE by ${-left} day${left === -1 ? '' : 's'}` : left === 0 ? 'due today' : `due in ${left} day${left === 1 ? '' : 's'}`;
      return { id: r.id, text: `${r.kind} (${r.regime}), ${r.state.replace(/_/g, ' ')}, due ${dueText(r)}: ${when}` };
    }),
  });
}

/**
 * A reminder for the approvals channel, or an escalation for the compliance channel: request id,
 * kind, law, state and dates only.
 */
export function reminderText(request: DsrRequest, stage: ReminderStage, now: Date): string {
  const left = daysBetween(now, new Date(`${request.dueAt}T00:00:00Z`));
  const what = `${request.id} (${request.kind}, ${request.regime})`;
  const state = request.state.replace(/_/g, ' ');
  if (stage === 'overdue' || left < 0) {
    return `Overdue: ${what} was due on ${dueText(request)} and is still open (${state}), ${-left} day${left === -1 ? '' : 's'} late.`;
  }
  const when = left === 0 ? 'today' : left === 1 ? 'tomorrow' : `in ${left} days`;
  return `Reminder: ${what} is due ${when}, ${dueText(request)}, and is still open (${state}).`;
}

type ComplianceEvent = 'opened' | 'approved' | 'rejected' | 'cancelled' | 'completed' | 'failed' | 'purged' | 'extended' | 'restored' | 'restrictionLifted' | 'liftFailed';

/** The compliance channel's post: request id, kind, regime, dates and counts only. */
export function complianceCard(request: DsrRequest, event: ComplianceEvent, now: Date): Card {
  const headlines = {
    opened: `${request.id} opened, due ${displayDay(request.dueAt)}`,
    approved: `${request.id} approved`,
    rejected: `${request.id} rejected`,
    cancelled: `${request.id} cancelled by the requester`,
    completed: `${request.id} completed in ${daysBetween(new Date(request.receivedAt), now)} days`,
    failed: `${request.id} failed in part: approvers can retry`,
    purged: `${request.id}: soft-deleted account purged`,
    restored: `${request.id}: soft-deleted Entra account restored before the purge`,
    restrictionLifted: `${request.id}: restriction lifted`,
    liftFailed: `${request.id}: lifting the restriction failed in part: approvers can retry`,
    extended: `${request.id} deadline extended to ${displayDay(request.dueAt)}`,
  };
  const steps = Object.values(request.steps);
  return renderCard('compliance', {
    headline: headlines[event],
    facts: [
      { title: 'Kind', value: request.kind },
      { title: 'Law', value: request.regime },
      { title: 'Received', value: displayDay(request.receivedAt) },
      { title: 'Due by', value: dueText(request) },
      { title: 'Services', value: String(request.services.length) },
      ...(steps.length ? [{ title: 'Items handled', value: String(steps.reduce((n, s) => n + (s?.count ?? 0), 0)) }] : []),
      ...(steps.some((s) => s?.status === 'failed') ? [{ title: 'Services failed', value: String(steps.filter((s) => s?.status === 'failed').length) }] : []),
    ],
  });
}

/**
 * The compliance channel's `report`: counts from the register and a read-only link to it. Request
 * counts only, so it may go to a channel; the CSV behind the link names subjects by pseudonym.
 */
export function reportCard(summary: RegisterSummary, link: { url: string; expiresAt: Date }): Card {
  const tally = (t: Tally) => `${t.total} (${t.open})`;
  return renderCard('report', {
    title: 'Data subject requests: the register',
    asOf: `As of ${time(summary.asOf)}`,
    totals: [
      { title: 'Requests', value: String(summary.total) },
      { title: 'Open', value: String(summary.open) },
      { title: 'Overdue', value: String(summary.overdue) },
      { title: `Closed in the last ${RECENT_DAYS} days`, value: String(summary.closedRecently) },
      { title: `Median days to close (last ${RECENT_DAYS} days)`, value: summary.medianDaysToClose === null ? 'none closed' : String(summary.medianDaysToClose) },
    ],
    byKind: (Object.keys(summary.byKind) as RequestKind[]).map((kind) => ({ title: kind, value: tally(summary.byKind[kind]) })),
    byRegime: Object.entries(summary.byRegime).map(([regime, t]) => ({ title: regime, value: tally(t) })),
    linkNote: `The link is read-only and expires ${time(link.expiresAt.toISOString())}. Subjects appear by pseudonym only.`,
    url: link.url,
  });
}
