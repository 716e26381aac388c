import { approvalsNeeded, approvalsOf, canConfirmManualSteps, canTake, daysBetween, DeltaRound, DsrRequest, extensionChoice, followUpApprovalsNeeded, isLiftable, isSoftDeleted, liftRetryable, ManualStep, manualStepsOf, pendingDelta, Plan, PlanItem, planOf, planSize, ServiceName, shortHash, StepOutcome } from '../dsr';
import { manualStepInstructions, manualStepTitle, serviceLabel } from '../words/stepWords';
import { Words } from '../i18n';
import { ApprovalView, approvalLayout, RequestDetailsView, requestDetailsLayout } from './approverLayouts';
import { RequestListView, requestListLayout } from './personLayouts';
import { Card, plainText } from './render';
import { dueText, exportNeedsRetry, Fact, kindName, kindTitle, labels, Notice, noticeData, restorableFact, serviceFacts, stateName, stateText, stepResult } from './requestFacts';

/** The cards privacy admins act on: the approval card (channel), a request's details and the queue (their own chat). */

/** States in which the card lists what discovery found rather than how execution went. */
const FOUND_STATES = ['awaiting_approval', 'needs_info', 'discovering', 'submitted', 'rejected', 'cancelled'];

/**
 * The approvers' card. It goes to a channel, so it carries ids, kinds, dates and counts, never
 * the subject's name, e-mail or object id; the buttons carry the request id only.
 */
export function approvalCard(words: Words, request: DsrRequest, options: ApprovalOptions): Card {
  return approvalLayout(approvalView(words, request, options));
}

type ApprovalOptions = { erasureApprovals: number; notice?: Notice; readOnly?: boolean };

/** What the approvers' card shows, in `words`. */
export function approvalView(words: Words, request: DsrRequest, options: ApprovalOptions): ApprovalView {
  const needed = approvalsNeeded(request, options.erasureApprovals);
  // After execution found more than the plan, approvers decide on that delta: the card is about it.
  const delta = request.state === 'awaiting_delta_approval' ? pendingDelta(request) : undefined;
  const approvals = approvalsOf(request, delta?.decisions ?? request.decisions);
  const facts: Fact[] = [
    { title: words.t('cards.fact.received'), value: words.day(request.receivedAt) },
    { title: words.t('cards.fact.dueBy'), value: dueText(words, request) },
    { title: words.t('cards.fact.filed'), value: words.t(request.requester.aadObjectId === request.subject.aadObjectId ? 'cards.approval.filedBySubject' : 'cards.approval.filedOnBehalf') },
    { title: words.t('cards.fact.approvals'), value: words.t('cards.approval.approvalsValue', { given: approvals, needed }) },
  ];
  if (request.kind === 'rectify' && request.corrections) facts.push({ title: words.t('cards.fact.toCorrect'), value: Object.keys(request.corrections).join(', ') });
  facts.push(...lifecycleFacts(words, request, options.erasureApprovals));
  const canDecide = !options.readOnly && (canTake(request.state, 'approve') || delta !== undefined);
  const extension = options.readOnly ? undefined : extensionChoice(request);
  const decided = [
    ...request.decisions.map((d) => ({ d, key: d.decision === 'approve' ? 'cards.approval.approvedBy' as const : 'cards.approval.rejectedBy' as const })),
    ...(request.deltas ?? []).flatMap((round) =>
      round.decisions.map((d) => ({ d, key: d.decision === 'approve' ? 'cards.approval.furtherApprovedBy' as const : 'cards.approval.furtherRejectedBy' as const }))),
  ];
  return {
    id: request.id,
    kindTitle: kindTitle(words, request.kind),
    regime: request.regime,
    stateText: stateText(words, request),
    ...noticeData(options.notice),
    facts,
    serviceHeading: words.t(FOUND_STATES.includes(request.state) ? 'cards.approval.found' : 'cards.approval.progress'),
    services: serviceFacts(words, request),
    decisions: decided.map(({ d, key }) => ({
      title: words.t(key, { name: plainText(d.by.displayName, 80) }),
      value: d.reason ? words.t('cards.approval.decisionWithReason', { at: words.dateTime(d.at), reason: plainText(d.reason) }) : words.dateTime(d.at),
    })),
    planHash: delta?.planHash ?? request.planHash ?? '',
    planNote: planNote(words, request, delta),
    manualSteps: manualStepsOf(request).map((step) => ({
      key: step.key,
      requestId: request.id,
      title: plainText(manualStepTitle(words, step), 200),
      serviceLabel: serviceLabel(words, step.service),
      // One block per line: a numbered list stays a list whatever the client does with markdown.
      instructionLines: manualStepInstructions(words, step).split('\n').filter((line) => line.trim()).slice(0, 20).map((line) => ({ line: plainText(line, 400) })),
      statusText: manualStepStatus(words, step),
      confirmable: !options.readOnly && !step.record && canConfirmManualSteps(request),
    })),
    extensions: (request.extensions ?? []).map((e) => ({
      title: words.t('cards.approval.extendedBy', { name: plainText(e.by.displayName, 80) }),
      value: words.t('cards.approval.extensionValue', { at: words.dateTime(e.at), from: words.day(e.previousDueAt), to: words.day(e.newDueAt), reason: plainText(e.reason) }),
    })),
    canDecide,
    canRetry: !options.readOnly && (canTake(request.state, 'retryFailedSteps') || exportNeedsRetry(request)),
    ...lifecycleButtons(words, request, options.readOnly),
    showReason: canDecide || extension !== undefined,
    reasonLabel: words.t(!extension ? 'cards.approval.reasonToReject' : canDecide ? 'cards.approval.reasonToRejectOrExtend' : 'cards.approval.reasonToExtend'),
    extendMonths: extension?.unit === 'months' ? extension.choices.map((n) => ({ title: words.t('cards.approval.extendMonths', { count: n }), value: String(n) })) : [],
    canExtend: extension !== undefined,
    extendTitle: extension?.unit === 'days' ? words.t('cards.approval.extendDays', { days: extension.days }) : words.t('cards.approval.extendDeadline'),
    w: labels(words, 'approval', ['refresh', 'decisions', 'extensions', 'manualSteps', 'markDone', 'notApplicable', 'extendBy', 'approve', 'reject', 'retry', 'restore', 'purgeNow']),
  };
}

/** Who approved a follow-up so far (purge now, lift): counts and approvers' names. */
const followUpValue = (words: Words, request: DsrRequest, approvals: DsrRequest['decisions'], needed: number) =>
  words.t('cards.approval.approvalsBy', { given: approvalsOf(request, approvals), needed, names: approvals.map((d) => plainText(d.by.displayName, 80)).join(', ') });

/** Restore, purge now and lift on the approvers' card: where each stands, by counts, dates and approvers' names. */
function lifecycleFacts(words: Words, request: DsrRequest, erasureApprovals: number): Fact[] {
  const needed = followUpApprovalsNeeded(erasureApprovals);
  const facts: Fact[] = [];
  if (request.state === 'soft_deleted' && request.purgeAt) facts.push(restorableFact(words, request.purgeAt));
  if (request.purgeNow?.length) facts.push({ title: words.t('cards.fact.purgeNow'), value: followUpValue(words, request, request.purgeNow, needed) });
  if (request.restored) {
    facts.push({ title: words.t('cards.fact.accountRestored'), value: words.t('cards.approval.restoredValue', { name: plainText(request.restored.by.displayName, 80), at: words.dateTime(request.restored.at) }) });
  }
  const lift = request.lift;
  if (lift?.approvals.length) facts.push({ title: words.t('cards.fact.liftRestriction'), value: followUpValue(words, request, lift.approvals, needed) });
  for (const [service, step] of Object.entries(lift?.steps ?? {}) as [ServiceName, StepOutcome][]) {
    facts.push({ title: words.t('cards.fact.liftedIn', { service: serviceLabel(words, service) }), value: stepResult(words, step) });
  }
  return facts;
}

function lifecycleButtons(words: Words, request: DsrRequest, readOnly: boolean | undefined) {
  const softDeleted = !readOnly && isSoftDeleted(request);
  const liftable = !readOnly && isLiftable(request) && (!request.lift?.approvedAt || liftRetryable(request.lift));
  return {
    canRestore: softDeleted,
    restoreNote: softDeleted ? words.t('cards.approval.restoreNote') : '',
    canPurgeNow: softDeleted,
    canLift: liftable,
    liftTitle: words.t(liftRetryable(request.lift) ? 'cards.approval.retryLift' : 'cards.approval.lift'),
  };
}

/**
 * The plan in the channel: its size and the first 8 hex of its hash, never its items; approvers
 * read those in their own chat (`details`).
 */
function planNote(words: Words, request: DsrRequest, delta: DeltaRound | undefined): string {
  if (delta) return words.t('cards.approval.deltaNote', { count: planSize(delta.plan), hash: shortHash(delta.planHash), id: request.id });
  if (!request.planHash) return '';
  return words.t('cards.approval.planNote', { count: planSize(planOf(request.discovery)), hash: shortHash(request.planHash), id: request.id });
}

function manualStepStatus(words: Words, step: ManualStep): string {
  if (!step.record) return words.t('cards.manual.notConfirmed');
  const values = { name: plainText(step.record.by.displayName, 80), at: words.dateTime(step.record.at) };
  return words.t(step.record.outcome === 'done' ? 'cards.manual.doneBy' : 'cards.manual.notApplicableBy', values);
}

/** The plan and every delta round, item by item with the reason each matched: approvers' own chat only. */
function planGroups(words: Words, request: DsrRequest): { heading: string; items: Fact[] }[] {
  const group = (heading: (service: string) => string, plan: Plan) =>
    (Object.entries(plan) as [ServiceName, PlanItem[]][]).map(([service, items]) => ({
      heading: heading(serviceLabel(words, service)),
      items: items.slice(0, 200).map((item) => ({ title: item.type, value: `${plainText(item.id, 300)} (${plainText(item.reason, 120)})` })),
    }));
  const planHash = request.planHash;
  return [
    ...(planHash ? group((service) => words.t('cards.details.planGroup', { hash: shortHash(planHash), service }), planOf(request.discovery)) : []),
    ...(request.deltas ?? []).flatMap((round, i) =>
      group((service) => words.t('cards.details.deltaGroup', { round: i + 1, hash: shortHash(round.planHash), outcome: round.outcome ?? 'open', service }), round.plan)),
  ];
}

/**
 * Who a request is about and where it stands, for a privacy admin's own 1:1 chat (never a
 * channel): what they need to verify the person and to carry out a manual step.
 */
export function requestDetailsCard(words: Words, request: DsrRequest): Card {
  return requestDetailsLayout(requestDetailsView(words, request));
}

export function requestDetailsView(words: Words, request: DsrRequest): RequestDetailsView {
  return {
    title: words.t('cards.details.title', { id: request.id, kind: kindTitle(words, request.kind), regime: request.regime }),
    subject: [
      { title: words.t('cards.fact.name'), value: plainText(request.subject.displayName, 120) },
      { title: words.t('cards.fact.email'), value: plainText(request.subject.email, 256) },
      { title: words.t('cards.fact.upn'), value: plainText(request.subject.upn, 256) },
      { title: words.t('cards.fact.objectId'), value: request.subject.aadObjectId },
    ],
    facts: [
      { title: words.t('cards.fact.state'), value: stateText(words, request) },
      { title: words.t('cards.fact.filedBy'), value: request.requester.aadObjectId === request.subject.aadObjectId ? words.t('cards.details.bySubject') : plainText(request.requester.displayName, 120) },
      { title: words.t('cards.fact.received'), value: words.day(request.receivedAt) },
      { title: words.t('cards.fact.dueBy'), value: dueText(words, request) },
    ],
    services: serviceFacts(words, request),
    planHeading: request.planHash ? words.t('cards.details.planHeading') : '',
    planGroups: planGroups(words, request),
    w: labels(words, 'details', ['forAdminsOnly', 'subject', 'request', 'perService']),
  };
}

/** Days left to the due date as the queue says it: overdue, today, or in n days. */
function whenDue(words: Words, request: DsrRequest, now: Date): string {
  const left = daysBetween(now, new Date(`${request.dueAt}T00:00:00Z`));
  if (left < 0) return words.t('cards.queue.overdue', { days: -left });
  return left === 0 ? words.t('cards.queue.dueToday') : words.t('cards.queue.dueIn', { days: left });
}

/**
 * The approvers' queue, for an approver's own 1:1 chat: open requests in the order given (soonest
 * due first), by id, kind, law, state and due date; `details <id>` says who a request is about.
 */
export function queueCard(words: Words, requests: DsrRequest[], now: Date): Card {
  return requestListLayout(queueView(words, requests, now));
}

export function queueView(words: Words, requests: DsrRequest[], now: Date): RequestListView {
  return {
    title: words.t('cards.queue.title', { count: requests.length }),
    empty: words.t('cards.queue.empty'),
    requests: requests.map((r) => ({
      id: r.id,
      text: words.t('cards.queue.item', { kind: kindName(words, r.kind), regime: r.regime, state: stateName(words, r), due: dueText(words, r), when: whenDue(words, r, now) }),
    })),
  };
}
