import { DsrRequest, RequestKind, ServiceExport, ServiceName, StepOutcome } from '../dsr';
import { MessageKey, Words } from '../i18n';
import { discoveryText, failureText, serviceLabel, stepSummaryText } from '../words/stepWords';
import { plainText } from './render';

/** What the cards of every audience share: a request's kind, state, due date and per-service progress, in the reader's words. */

export type Fact = { title: string; value: string };
/** A line over a card, in the words of whoever reads it (the caller picks them). */
export type Notice = { text: string; color: 'Good' | 'Attention' | 'Warning' | 'Default' };

export const kindTitle = (words: Words, kind: RequestKind) => words.t(`cards.kindTitle.${kind}`);
export const kindInfo = (words: Words, kind: RequestKind) => words.t(`cards.kindInfo.${kind}`);
/** The kind as one word, for channels' terse lines. */
export const kindName = (words: Words, kind: RequestKind) => words.t(`cards.kindName.${kind}`);
export const stateText = (words: Words, request: DsrRequest) => words.t(`cards.state.${request.state}`);
export const stateName = (words: Words, request: DsrRequest) => words.t(`cards.stateName.${request.state}`);

/** The due date as shown, marked when an extension moved it. */
export function dueText(words: Words, request: DsrRequest): string {
  const day = words.day(request.dueAt);
  return request.extensions?.length ? words.t('cards.due.extended', { day }) : day;
}

/** How long a soft-deleted account can still be restored. */
export const restorableFact = (words: Words, purgeAt: string) => ({ title: words.t('cards.fact.restorableUntil'), value: words.t('cards.fact.restorableValue', { day: words.day(purgeAt) }) });

export type NoticeData = { notice: string; noticeColor: Notice['color'] };
export const noticeData = (notice: Notice | undefined): NoticeData => ({ notice: notice ? plainText(notice.text) : '', noticeColor: notice?.color ?? 'Default' });

/** A step's result: its summary with per-item counts (never ids: this text goes to channels too), or its failure. */
export function stepResult(words: Words, step: StepOutcome): string {
  if (step.status === 'failed') return words.t('cards.step.failed', { error: step.error ? failureText(words, step.error) : words.t('cards.step.unknownError') });
  const items = step.items ?? [];
  const gone = items.filter((i) => i.result === 'alreadyGone').length;
  const kept = items.filter((i) => i.result === 'kept').length;
  const counts = [
    ...(gone ? [words.t('cards.step.alreadyGone', { count: gone })] : []),
    ...(kept ? [words.t('cards.step.kept', { count: kept })] : []),
    ...(step.delta?.length ? [words.t('cards.step.beyondPlan', { count: step.delta.length })] : []),
  ];
  const at = words.dateTime(step.at);
  return counts.length ? words.t('cards.step.doneWithCounts', { summary: stepSummaryText(words, step.summary), counts: counts.join('; '), at }) : words.t('cards.step.done', { summary: stepSummaryText(words, step.summary), at });
}

/** A request waiting on a service export that only an approver's Retry can restart. */
export const exportNeedsRetry = (request: DsrRequest) =>
  request.state === 'awaiting_service_export' && (request.serviceExport?.status === 'failed' || request.serviceExport?.status === 'unknown');

/** A service's own export as the cards show it: status and progress, no ids. */
function serviceExportText(words: Words, se: ServiceExport): string {
  const status = words.t(`cards.serviceExport.${se.status}`, { progress: Math.round(se.progress ?? 0) });
  return se.lastPolledAt ? words.t('cards.serviceExport.checked', { status, at: words.dateTime(se.lastPolledAt) }) : status;
}

function stepText(words: Words, request: DsrRequest, service: ServiceName): string {
  if (request.serviceExport?.service === service && request.state !== 'executing') return serviceExportText(words, request.serviceExport);
  const step = request.steps[service];
  if (step) return stepResult(words, step);
  if (request.state === 'executing') return words.t('cards.step.waiting');
  const found = request.discovery[service];
  if (!found) return words.t(request.state === 'discovering' || request.state === 'submitted' ? 'cards.step.looking' : 'cards.step.notSearched');
  if (found.error) return words.t('cards.step.searchFailed', { error: failureText(words, found.error) });
  return found.count === 0 ? words.t('cards.step.nothingFound') : found.items.map((line) => discoveryText(words, line)).join(', ');
}

/** A service and where it stands, in words. */
export type ServiceFact = { label: string; text: string };

/** Each service of the request and where it stands. */
export function serviceFacts(words: Words, request: DsrRequest): ServiceFact[] {
  return request.services.map((s) => ({ label: serviceLabel(words, s), text: stepText(words, request, s) }));
}

/** The fixed labels of a card (`cards.<group>.<name>`), handed to its layout as `w` so the layout holds no words. */
export function labels<const Group extends string, const Name extends string>(
  words: Words,
  group: Group,
  names: `cards.${Group}.${Name}` extends MessageKey ? Name[] : never,
): Record<Name, string> {
  return Object.fromEntries(names.map((name) => [name, words.t(`cards.${group}.${name}` as MessageKey)])) as Record<Name, string>;
}
