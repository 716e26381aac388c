import { AuditHead, canTake, DsrRequest, manualStepsOf, recipientsTold, RequestKind, ServiceName, shortHash } from '../dsr';
import { manualStepTitle, serviceLabel } from '../words/stepWords';
import { MessageKey, Words } from '../i18n';
import { ExportReadyView, exportReadyLayout, HelpView, helpLayout, IntakeView, intakeLayout, ReceiptView, receiptLayout, RequestListView, requestListLayout, StatusView, statusLayout } from './personLayouts';
import { Card, plainText } from './render';
import { dueText, kindInfo, kindTitle, labels, Notice, noticeData, restorableFact, serviceFacts, stateName, stateText } from './requestFacts';

/** The cards a person reads about their own requests, in their 1:1 chat. */

const KINDS: RequestKind[] = ['access', 'export', 'rectify', 'restrict', 'erase'];

/** The intake card for one kind of request. */
export function intakeCard(words: Words, kind: RequestKind, options: IntakeOptions): Card {
  return intakeLayout(intakeView(words, kind, options));
}

type IntakeOptions = { regime: string; services: ServiceName[]; graceDays: number; fields: { name: string; label: string }[]; onBehalfOf?: { aadObjectId: string; displayName: string } };

export function intakeView(words: Words, kind: RequestKind, options: IntakeOptions): IntakeView {
  const onBehalf = options.onBehalfOf;
  return {
    kind,
    onBehalfOf: onBehalf?.aadObjectId ?? '',
    onBehalfText: onBehalf ? words.t('cards.intake.onBehalf', { name: plainText(onBehalf.displayName, 120) }) : '',
    title: kindTitle(words, kind),
    description: kindInfo(words, kind),
    isErase: kind === 'erase',
    isRectify: kind === 'rectify',
    eraseWarning: words.t(onBehalf ? 'cards.intake.eraseWarningOnBehalf' : 'cards.intake.eraseWarning', { graceDays: options.graceDays }),
    regime: options.regime,
    services: options.services.map((name) => ({ name, label: serviceLabel(words, name) })),
    allServices: options.services.join(','),
    fields: options.fields,
    submitTitle: words.t(kind === 'erase' ? 'cards.intake.submitErase' : 'cards.intake.submit'),
    submitStyle: kind === 'erase' ? 'destructive' : 'positive',
    w: labels(words, 'intake', ['eraseWarningTitle', 'regimeLabel', 'regimeRequired', 'gdprChoice', 'ccpaChoice', 'servicesLabel', 'servicesRequired', 'fieldLabel', 'fieldRequired', 'valueLabel', 'valueRequired']),
  };
}

export function helpCard(words: Words): Card {
  return helpLayout(helpView(words));
}

export function helpView(words: Words): HelpView {
  return {
    intro: words.t('cards.help.intro', { deadlines: words.t('cards.help.deadlines') }),
    kinds: KINDS.map((kind) => ({ kind, title: kindTitle(words, kind), description: kindInfo(words, kind) })),
    w: labels(words, 'help', ['title', 'typeHint', 'myRequests']),
  };
}

/** The requester's card in their 1:1 chat. */
export function statusCard(words: Words, request: DsrRequest, notice?: Notice): Card {
  return statusLayout(statusView(words, request, notice));
}

export function statusView(words: Words, request: DsrRequest, notice?: Notice): StatusView {
  return {
    id: request.id,
    kindTitle: kindTitle(words, request.kind),
    stateText: stateText(words, request),
    ...noticeData(notice),
    facts: [
      { title: words.t('cards.fact.law'), value: request.regime },
      { title: words.t('cards.fact.received'), value: words.day(request.receivedAt) },
      { title: words.t('cards.fact.dueBy'), value: dueText(words, request) },
      ...(request.requester.aadObjectId !== request.subject.aadObjectId ? [{ title: words.t('cards.fact.about'), value: plainText(request.subject.displayName) }] : []),
      ...(request.state === 'soft_deleted' && request.purgeAt ? [restorableFact(words, request.purgeAt)] : []),
    ],
    steps: request.state === 'submitted' ? [] : serviceFacts(words, request),
    cancellable: canTake(request.state, 'cancel'),
    w: labels(words, 'status', ['services', 'cancel']),
  };
}

/** The download card, for the requester's 1:1 chat only. */
export function exportReadyCard(words: Words, request: DsrRequest, link: { url: string; expiresAt: Date }, delivery = request.delivery): Card {
  return exportReadyLayout(exportReadyView(words, request, link, delivery));
}

export function exportReadyView(words: Words, request: DsrRequest, link: { url: string; expiresAt: Date }, delivery = request.delivery): ExportReadyView {
  return {
    url: link.url,
    title: words.t('cards.exportReady.title', { id: request.id }),
    facts: [
      { title: words.t('cards.fact.services'), value: request.services.map((s) => serviceLabel(words, s)).join(', ') },
      { title: words.t('cards.fact.size'), value: words.t('cards.exportReady.size', { kb: Math.max(1, Math.round((delivery?.bytes ?? 0) / 1024)) }) },
      { title: words.t('cards.fact.sha256'), value: delivery?.sha256 ?? '' },
      { title: words.t('cards.fact.linkExpires'), value: words.dateTime(link.expiresAt) },
    ],
    w: labels(words, 'exportReady', ['intro', 'download']),
  };
}

const RECEIPT_TITLES: Partial<Record<RequestKind, MessageKey>> = { erase: 'cards.receipt.eraseTitle', rectify: 'cards.receipt.rectifyTitle', restrict: 'cards.receipt.restrictTitle' };

/**
 * What was removed, corrected or restricted, per service, and the approvals it rests on; with
 * `auditHead`, where the request's audit chain stood as the receipt was made, for the requester to keep.
 */
export function receiptCard(words: Words, request: DsrRequest, auditHead?: AuditHead): Card {
  return receiptLayout(receiptView(words, request, auditHead));
}

export function receiptView(words: Words, request: DsrRequest, auditHead?: AuditHead): ReceiptView {
  const changed = RECEIPT_TITLES[request.kind];
  return {
    title: words.t(changed ?? 'cards.receipt.title', { id: request.id }),
    intro: words.t('cards.receipt.intro', { kind: request.kind, day: words.day(request.receivedAt) }),
    services: serviceFacts(words, request),
    // GDPR Art. 19: the recipients told of a rectification, restriction or erasure, as the register records them.
    recipientsHeading: changed ? words.t('cards.receipt.recipientsHeading') : '',
    recipientsText: recipientsTold(request).map((s) => serviceLabel(words, s)).join(', ') || words.t('cards.receipt.noRecipients'),
    manualSteps: manualStepsOf(request)
      .filter((step) => step.record)
      .map((step) => ({
        title: plainText(manualStepTitle(words, step), 200),
        value: words.t(step.record!.outcome === 'done' ? 'cards.receipt.manualDone' : 'cards.receipt.manualNotApplicable', { at: words.dateTime(step.record!.at) }),
      })),
    approvals: [...request.decisions, ...(request.deltas ?? []).flatMap((round) => round.decisions)]
      .filter((d) => d.decision === 'approve')
      .map((d, i) => ({
        title: words.t('cards.receipt.approval', { n: i + 1 }),
        value: d.planHash
          ? words.t('cards.receipt.approvalValueOfPlan', { at: words.dateTime(d.at), hash: shortHash(d.planHash) })
          : words.t('cards.receipt.approvalValue', { at: words.dateTime(d.at) }),
      })),
    purgeNote: request.purgeAt ? words.t('cards.receipt.purgeNote', { day: words.day(request.purgeAt) }) : '',
    planRecord: request.planHash ? words.t('cards.receipt.planRecord', { hash: request.planHash }) : '',
    auditRecord: auditHead ? words.t('cards.receipt.auditRecord', { count: auditHead.count, hash: auditHead.hash }) : '',
    w: labels(words, 'receipt', ['doneByHand', 'approvals']),
  };
}

/** A person's own requests, by id, kind, state and due date. */
export function requestListCard(words: Words, requests: DsrRequest[]): Card {
  return requestListLayout(requestListView(words, requests));
}

export function requestListView(words: Words, requests: DsrRequest[]): RequestListView {
  return {
    title: words.t('cards.list.title'),
    empty: words.t('cards.list.empty'),
    requests: requests.map((r) => ({ id: r.id, text: words.t('cards.list.item', { kind: kindTitle(words, r.kind), state: stateName(words, r), due: dueText(words, r) }) })),
  };
}
