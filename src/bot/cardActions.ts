import { ActivityTypes, TurnContext } from 'botbuilder';
import { Card } from '../cards/render';
import { approvalCard } from '../cards/approverCards';
import { requestListCard, statusCard } from '../cards/personCards';
import { Actor, DsrRequest, errorCode, mayRead, Subject } from '../dsr';
import { userConversationKey } from '../storage/conversationStore';
import { Words } from '../i18n';
import { BotDeps } from './botDeps';
import { buttonCard } from './buttonMessage';
import { parseExtendMonths, parseKind, parseManualStep, parseOnBehalfOf, parseReason, parseRequestId, parseSubmission, parsePlanHash, parseCorrection } from './cardInputs';
import { intakeFor } from './chatCommands';
import { cancelWords, decisionWords, extensionWords, inputWords, lifecycleWords, manualStepWords, retryWords } from './outcomeWords';
import { cardFor, nothingToShow, Readable, readableOf, readRequest, viewerOf } from './readAccess';
import { actorOf, isPersonalChat, rememberPersonalChat } from './turnIdentity';
import { wordsForPerson, wordsForTurn } from './turnWords';

/** A card action's answer: the card that replaces the clicked one, or a message. */
export type ActionAnswer = Card | string;
/** `words`: the clicker's, since an invoke's answer is theirs alone. */
type ActionHandler = (context: TurnContext, data: unknown, deps: BotDeps, words: Words) => Promise<ActionAnswer>;

/** Opens the intake card for the kind picked on the help card. */
const start: ActionHandler = async (context, data, deps, words) => {
  if (!isPersonalChat(context)) return words.t('chat.identity.onlyInChat');
  const kind = parseKind(data);
  return kind.ok ? intakeFor(words, kind.value, deps) : inputWords(words, kind.problem);
};

/**
 * Files the request for the person who clicked; only a privacy admin may name someone else
 * (`onBehalfOf`), which the server checks against the approvers group, whatever the card says.
 */
const submit: ActionHandler = async (context, data, deps, turnWords) => {
  const actor = actorOf(context);
  if (!actor) return turnWords.t('chat.identity.notSignedInToAct');
  if (!isPersonalChat(context)) return turnWords.t('chat.identity.onlyInChat');
  const input = parseSubmission(data, deps.offeredServices);
  if (!input.ok) return inputWords(turnWords, input.problem);
  const onBehalfOf = parseOnBehalfOf(data);
  if (!onBehalfOf.ok) return inputWords(turnWords, onBehalfOf.problem);
  if (onBehalfOf.value && onBehalfOf.value !== actor.aadObjectId && !(await deps.directory.isApprover(actor.aadObjectId))) {
    return turnWords.t('chat.submit.onlyApproversForOthers');
  }
  const subjectId = onBehalfOf.value ?? actor.aadObjectId;
  // Read from Entra and checked while the filing looks up the subject's requests.
  const vetted = vetSubject(subjectId, Boolean(onBehalfOf.value), input.value.corrections?.userPrincipalName, actor, deps, turnWords);

  // The clicked intake card becomes the request's status card: the answer below replaces it.
  const cardId = context.activity.replyToId;
  const postedStatus = cardId ? { conversationKey: userConversationKey(actor.aadObjectId), activityId: cardId } : undefined;
  const subject = { aadObjectId: subjectId, details: vetted.then((checked) => ('subject' in checked ? checked.subject : undefined)) };
  // The way back to this chat is kept while the request is filed: its notices go out from a job, later.
  const [filed, remembered] = await Promise.allSettled([deps.requests.submit(input.value, subject, actor, postedStatus), rememberPersonalChat(context, actor, deps.conversations)]);
  if (remembered.status === 'rejected') throw remembered.reason;
  if (filed.status === 'rejected') throw filed.reason;
  const checked = await vetted;
  if ('refusal' in checked) return checked.refusal;
  const { words } = checked;
  const outcome = filed.value;
  if (outcome.result === 'notFiled') throw new Error('A request was not filed for a subject that passed the checks.');
  if (outcome.result === 'limited') {
    return words.t('chat.submit.limited', { open: outcome.open });
  }
  if (outcome.result === 'duplicate') {
    if (!mayRead(outcome.request, await viewerOf(actor, deps)).allowed) return nothingToShow(words, outcome.request.id);
    return statusCard(words, outcome.request, { text: words.t('chat.submit.duplicate', { requestId: outcome.request.id }), color: 'Warning' });
  }
  return statusCard(words, outcome.request, { text: words.t('chat.submit.received', { requestId: outcome.request.id }), color: 'Good' });
};

/**
 * The person a request is to be filed for, as Entra has them, with the words to answer in; or the
 * answer that turns the filing down: Entra does not know them, or a new sign-in name is outside
 * their domain.
 */
async function vetSubject(
  subjectId: string,
  namedOnCard: boolean,
  newSignInName: string | undefined,
  actor: Actor,
  deps: BotDeps,
  turnWords: Words,
): Promise<{ subject: Subject; words: Words } | { refusal: string }> {
  const subject = await deps.directory.person(subjectId);
  if (!subject) return { refusal: turnWords.t(namedOnCard ? 'chat.submit.personGone' : 'chat.submit.selfNotFound') };
  // Filing for themselves, a person without a Teams locale reads their Entra language.
  const words = subject.aadObjectId === actor.aadObjectId ? wordsForPerson(deps, { locale: actor.locale, preferredLanguage: subject.preferredLanguage }) : turnWords;
  // A new sign-in name has to stay in a domain of the tenant: the subject's own, now that it is known.
  if (newSignInName !== undefined) {
    const inDomain = parseCorrection('userPrincipalName', newSignInName, { allowedDomains: [subject.upn.slice(subject.upn.lastIndexOf('@') + 1)] });
    if (!inDomain.ok) return { refusal: inputWords(words, inDomain.problem) };
  }
  return { subject, words };
}

const status: ActionHandler = async (context, _data, deps, words) => {
  const actor = actorOf(context);
  if (!actor) return words.t('chat.identity.notSignedInToAct');
  const [requests, viewer] = await Promise.all([deps.requests.listFor(actor), viewerOf(actor, deps)]);
  return requestListCard(words, readableOf(requests, viewer));
};

const cancel: ActionHandler = async (context, data, deps, words) => {
  const actor = actorOf(context);
  if (!actor) return words.t('chat.identity.notSignedInToAct');
  const id = parseRequestId(data);
  if (!id.ok) return inputWords(words, id.problem);
  if (!(await readRequest(deps, viewerOf(actor, deps), id.value))) return nothingToShow(words, id.value);
  const outcome = await deps.requests.cancel(id.value, actor);
  if (outcome.result !== 'done') return cancelWords(words, outcome);
  // One write per click: on the request's own status card the notifier's refresh (the same card,
  // in the same chat, in the requester's language) is the write, so the answer is just the message.
  if (context.activity.replyToId === outcome.request.cards.status?.activityId) return cancelWords(words, outcome);
  return statusCard(words, outcome.request, { text: cancelWords(words, outcome), color: 'Good' });
};

/** What an approver's button did: the message for the card's notice, and the request as it now stands. */
type ApproverOutcome = { ok: boolean; message: string; request?: DsrRequest };

/**
 * A button on the approvers' card. Identity comes from the activity and approval from the
 * approvers group, whatever the card data says; the clicker gets the card back with the outcome
 * as its notice, or, when they may not act on it, just the refusal. Someone who may not see the
 * request at all gets the answer an unknown id gets, whatever the button.
 */
function approverAction(work: (input: { actor: Actor; requestId: string; isApprover: boolean; seen: Readable; data: unknown; deps: BotDeps; words: Words }) => Promise<ApproverOutcome>): ActionHandler {
  return async (context, data, deps, words) => {
    const actor = actorOf(context);
    if (!actor) return words.t('chat.identity.notSignedInToAct');
    const id = parseRequestId(data);
    if (!id.ok) return inputWords(words, id.problem);
    const viewer = viewerOf(actor, deps);
    const seen = await readRequest(deps, viewer, id.value);
    if (!seen) return nothingToShow(words, id.value);
    const outcome = await work({ actor, requestId: id.value, isApprover: (await viewer).isApprover, seen, data, deps, words });
    if (!outcome.request || seen.access.role !== 'approver') return outcome.message;
    return approvalCard(wordsForTurn(context, deps), outcome.request, { erasureApprovals: deps.erasureApprovals, notice: { text: outcome.message, color: outcome.ok ? 'Good' : 'Attention' } });
  };
}

/** Approve or Reject: the request's current state decides what happens. */
function decision(verdict: 'approve' | 'reject'): ActionHandler {
  return approverAction(async ({ actor, requestId, isApprover, seen, data, deps, words }) => {
    const reason = parseReason(data);
    if (!reason.ok) return { ok: false, message: inputWords(words, reason.problem) };
    const shown = parsePlanHash(data);
    if (!shown.ok) return { ok: false, message: inputWords(words, shown.problem) };
    const outcome = await deps.requests.decide(requestId, actor, verdict, isApprover, reason.value, shown.value, seen);
    return { ok: outcome.result === 'done', message: decisionWords(words, outcome), request: outcome.request };
  });
}

/**
 * "Extend" on the approvers' card, with the card's reason: the regime decides how far
 * (src/dsr/model/extensions.ts); the requester is told the new date and the reason.
 */
const extendDeadline = approverAction(async ({ actor, requestId, isApprover, data, deps, words }) => {
  const reason = parseReason(data);
  if (!reason.ok) return { ok: false, message: inputWords(words, reason.problem) };
  const months = parseExtendMonths(data);
  if (!months.ok) return { ok: false, message: inputWords(words, months.problem) };
  const outcome = await deps.requests.extend(requestId, actor, isApprover, reason.value, months.value);
  return { ok: outcome.result === 'done', message: extensionWords(words, outcome), request: outcome.request };
});

const retry = approverAction(async ({ actor, requestId, isApprover, deps, words }) => {
  const outcome = await deps.executor.retryFailedSteps(requestId, actor, isApprover);
  return { ok: outcome.result === 'done', message: retryWords(words, outcome), request: outcome.request ?? (await deps.store.get(requestId))?.request };
});

/** An approver confirms a manual step (done, or not applicable). */
const manualStep = approverAction(async ({ actor, requestId, isApprover, data, deps, words }) => {
  const step = parseManualStep(data);
  if (!step.ok) return { ok: false, message: inputWords(words, step.problem) };
  const outcome = await deps.executor.confirmManualStep(requestId, { ...step.value, actor, actorIsApprover: isApprover });
  return { ok: outcome.result === 'done', message: manualStepWords(words, outcome), request: outcome.request };
});

/** Restore, Purge now and Lift restriction: the rules are the domain's (src/dsr/model/lifecycleRules.ts). */
function lifecycleAction(act: 'restore' | 'approvePurgeNow' | 'approveLift'): ActionHandler {
  return approverAction(async ({ actor, requestId, isApprover, deps, words }) => {
    const outcome = await deps.lifecycle[act](requestId, actor, isApprover);
    return { ok: outcome.result === 'done', message: lifecycleWords(words, outcome), request: outcome.request ?? (await deps.store.get(requestId))?.request };
  });
}

/**
 * Teams' `refresh`: each reader sees the card of their role (approvers the buttons, compliance
 * officers none, the subject and requester their status); anyone else sees nothing of the request.
 */
const refresh: ActionHandler = async (context, data, deps, words) => {
  const id = parseRequestId(data);
  if (!id.ok) return inputWords(words, id.problem);
  const seen = await readRequest(deps, viewerOf(actorOf(context), deps), id.value);
  return seen ? cardFor(words, seen, deps) : nothingToShow(words, id.value);
};

/** Every card verb and its handler, in one place. */
export const CARD_ACTIONS: Record<string, ActionHandler> = {
  'dsr.start': start,
  'dsr.submit': submit,
  'dsr.status': status,
  'dsr.cancel': cancel,
  'dsr.approve': decision('approve'),
  'dsr.reject': decision('reject'),
  'dsr.extend': extendDeadline,
  'dsr.retry': retry,
  'dsr.manual': manualStep,
  'dsr.restore': lifecycleAction('restore'),
  'dsr.purgeNow': lifecycleAction('approvePurgeNow'),
  'dsr.lift': lifecycleAction('approveLift'),
  'dsr.refresh': refresh,
};

/**
 * Wraps a handler so a failure answers the click with a clear message instead of an error, and a
 * card answers the clicker alone. teams-ai would first replace a card that has a `refresh` action
 * for everyone in the conversation (updateActivity): here each reader sees the card of their role,
 * with the notice meant for the clicker on the clicker's alone, and the notifier replaces the
 * posted card for everyone whenever the request changes. teams-ai leaves an answer already sent.
 */
export function guardedAction(deps: BotDeps, handler: ActionHandler) {
  return async (context: TurnContext, _state: unknown, data: unknown): Promise<ActionAnswer> => {
    const words = wordsForTurn(context, deps);
    try {
      const answer = await handler(context, data, deps, words);
      if (typeof answer !== 'string' && answer.refresh) await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: buttonCard(answer) });
      return answer;
    } catch (error) {
      deps.log.error({ verb: (context.activity.value as { action?: { verb?: string } })?.action?.verb, error: errorCode(error) }, 'card action failed');
      return words.t('chat.failure.ourSide');
    }
  };
}
