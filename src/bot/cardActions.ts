import { TurnContext } from 'botbuilder';
import { Card } from '../cards/render';
import { approvalCard } from '../cards/approverCards';
import { requestListCard, statusCard } from '../cards/personCards';
import { Actor, DsrRequest, errorCode, mayRead, rememberCard } from '../dsr';
import { userConversationKey } from '../storage/conversationStore';
import { BotDeps } from './botDeps';
import { parseExtendMonths, parseKind, parseManualStep, parseOnBehalfOf, parseReason, parseRequestId, parseSubmission, parsePlanHash, parseCorrection } from './cardInputs';
import { intakeFor } from './chatCommands';
import { lifecycleMessage } from './lifecycleWords';
import { cardFor, nothingToShow, readableOf, readRequest, viewerOf } from './readAccess';
import { actorOf, isPersonalChat, rememberPersonalChat } from './turnIdentity';
import { wordsForTurn } from './turnWords';

/** A card action's answer: the card that replaces the clicked one, or a message. */
export type ActionAnswer = Card | string;
type ActionHandler = (context: TurnContext, data: unknown, deps: BotDeps) => Promise<ActionAnswer>;

const NOT_SIGNED_IN = 'I can only act for people signed in with a work account of this organisation.';
const ONLY_IN_CHAT = 'Requests about your own data are made in your 1:1 chat with me.';

/** Opens the intake card for the kind picked on the help card. */
const start: ActionHandler = async (context, data, deps) => {
  if (!isPersonalChat(context)) return ONLY_IN_CHAT;
  const kind = parseKind(data);
  return kind.ok ? intakeFor(wordsForTurn(context, deps), kind.value, deps) : kind.problem;
};

/**
 * Files the request for the person who clicked; only a privacy admin may name someone else
 * (`onBehalfOf`), which the server checks against the approvers group, whatever the card says.
 */
const submit: ActionHandler = async (context, data, deps) => {
  const actor = actorOf(context);
  if (!actor) return NOT_SIGNED_IN;
  if (!isPersonalChat(context)) return ONLY_IN_CHAT;
  const input = parseSubmission(data, deps.offeredServices);
  if (!input.ok) return input.problem;
  const onBehalfOf = parseOnBehalfOf(data);
  if (!onBehalfOf.ok) return onBehalfOf.problem;
  if (onBehalfOf.value && onBehalfOf.value !== actor.aadObjectId && !(await deps.directory.isApprover(actor.aadObjectId))) {
    return 'Only privacy admins can file a request for someone else. Nothing was filed.';
  }
  const subject = await deps.directory.person(onBehalfOf.value ?? actor.aadObjectId);
  if (!subject) {
    return onBehalfOf.value
      ? 'That person is no longer in the directory. Nothing was filed.'
      : 'I could not find your account in the directory, so I cannot file a request for you. Please contact the privacy team.';
  }

  // A new sign-in name has to stay in a domain of the tenant: the subject's own, now that it is known.
  const upn = input.value.corrections?.userPrincipalName;
  if (upn !== undefined) {
    const inDomain = parseCorrection('userPrincipalName', upn, { allowedDomains: [subject.upn.slice(subject.upn.lastIndexOf('@') + 1)] });
    if (!inDomain.ok) return inDomain.problem;
  }

  await rememberPersonalChat(context, actor, deps.conversations);
  const outcome = await deps.requests.submit(input.value, subject, actor);
  if (outcome.result === 'limited') {
    return `You already have ${outcome.open} requests open, the most one person can have at once. Type status to see them; you can file a new one when one of them is answered.`;
  }
  if (outcome.result === 'duplicate') {
    if (!mayRead(outcome.request, await viewerOf(actor, deps)).allowed) return nothingToShow(outcome.request.id);
    return statusCard(wordsForTurn(context, deps), outcome.request, { text: `You already have an open request of this kind: ${outcome.request.id}. Here is where it stands.`, color: 'Warning' });
  }
  const cardId = context.activity.replyToId;
  if (cardId) await rememberCard(deps.store, outcome.request.id, 'status', { conversationKey: userConversationKey(actor.aadObjectId), activityId: cardId });
  return statusCard(wordsForTurn(context, deps), outcome.request, { text: `Received. Your request id is ${outcome.request.id}; I will keep this card up to date.`, color: 'Good' });
};

const status: ActionHandler = async (context, _data, deps) => {
  const actor = actorOf(context);
  if (!actor) return NOT_SIGNED_IN;
  return requestListCard(wordsForTurn(context, deps), readableOf(await deps.requests.listFor(actor), await viewerOf(actor, deps)));
};

const cancel: ActionHandler = async (context, data, deps) => {
  const actor = actorOf(context);
  if (!actor) return NOT_SIGNED_IN;
  const id = parseRequestId(data);
  if (!id.ok) return id.problem;
  if (!(await readRequest(deps, await viewerOf(actor, deps), id.value))) return nothingToShow(id.value);
  const outcome = await deps.requests.cancel(id.value, actor);
  if (outcome.result !== 'done') return outcome.message;
  // One write per click: on the request's own status card the notifier's refresh (the same card,
  // in the same chat, in the requester's language) is the write, so the answer is just the message.
  if (context.activity.replyToId === outcome.request.cards.status?.activityId) return outcome.message;
  return statusCard(wordsForTurn(context, deps), outcome.request, { text: outcome.message, color: 'Good' });
};

/** What an approver's button did: the message for the card's notice, and the request as it now stands. */
type ApproverOutcome = { ok: boolean; message: string; request?: DsrRequest };

/**
 * A button on the approvers' card. Identity comes from the activity and approval from the
 * approvers group, whatever the card data says; the clicker gets the card back with the outcome
 * as its notice, or, when they may not act on it, just the refusal. Someone who may not see the
 * request at all gets the answer an unknown id gets, whatever the button.
 */
function approverAction(work: (input: { actor: Actor; requestId: string; isApprover: boolean; data: unknown; deps: BotDeps }) => Promise<ApproverOutcome>): ActionHandler {
  return async (context, data, deps) => {
    const actor = actorOf(context);
    if (!actor) return NOT_SIGNED_IN;
    const id = parseRequestId(data);
    if (!id.ok) return id.problem;
    const viewer = await viewerOf(actor, deps);
    const seen = await readRequest(deps, viewer, id.value);
    if (!seen) return nothingToShow(id.value);
    const outcome = await work({ actor, requestId: id.value, isApprover: viewer.isApprover, data, deps });
    if (!outcome.request || seen.access.role !== 'approver') return outcome.message;
    return approvalCard(wordsForTurn(context, deps), outcome.request, { erasureApprovals: deps.erasureApprovals, notice: { text: outcome.message, color: outcome.ok ? 'Good' : 'Attention' } });
  };
}

/** Approve or Reject: the request's current state decides what happens. */
function decision(verdict: 'approve' | 'reject'): ActionHandler {
  return approverAction(async ({ actor, requestId, isApprover, data, deps }) => {
    const reason = parseReason(data);
    if (!reason.ok) return { ok: false, message: reason.problem };
    const shown = parsePlanHash(data);
    if (!shown.ok) return { ok: false, message: shown.problem };
    const outcome = await deps.requests.decide(requestId, actor, verdict, isApprover, reason.value, shown.value);
    return { ok: outcome.result === 'done', message: outcome.message, request: outcome.request };
  });
}

/**
 * "Extend" on the approvers' card, with the card's reason: the regime decides how far
 * (src/dsr/model/extensions.ts); the requester is told the new date and the reason.
 */
const extendDeadline = approverAction(async ({ actor, requestId, isApprover, data, deps }) => {
  const reason = parseReason(data);
  if (!reason.ok) return { ok: false, message: reason.problem };
  const months = parseExtendMonths(data);
  if (!months.ok) return { ok: false, message: months.problem };
  const outcome = await deps.requests.extend(requestId, actor, isApprover, reason.value, months.value);
  return { ok: outcome.result === 'done', message: outcome.message, request: outcome.request };
});

const retry = approverAction(async ({ actor, requestId, isApprover, deps }) => {
  const outcome = await deps.executor.retryFailedSteps(requestId, actor, isApprover);
  return { ...outcome, request: outcome.request ?? (await deps.store.get(requestId))?.request };
});

/** An approver confirms a manual step (done, or not applicable). */
const manualStep = approverAction(async ({ actor, requestId, isApprover, data, deps }) => {
  const step = parseManualStep(data);
  if (!step.ok) return { ok: false, message: step.problem };
  return deps.executor.confirmManualStep(requestId, { ...step.value, actor, actorIsApprover: isApprover });
});

/** Restore, Purge now and Lift restriction: the rules are the domain's (src/dsr/model/lifecycleRules.ts). */
function lifecycleAction(act: 'restore' | 'approvePurgeNow' | 'approveLift'): ActionHandler {
  return approverAction(async ({ actor, requestId, isApprover, deps }) => {
    const outcome = await deps.lifecycle[act](requestId, actor, isApprover);
    return { ok: outcome.result === 'done', message: lifecycleMessage(outcome), request: outcome.request ?? (await deps.store.get(requestId))?.request };
  });
}

/**
 * Teams' `refresh`: each reader sees the card of their role (approvers the buttons, compliance
 * officers none, the subject and requester their status); anyone else sees nothing of the request.
 */
const refresh: ActionHandler = async (context, data, deps) => {
  const id = parseRequestId(data);
  if (!id.ok) return id.problem;
  const seen = await readRequest(deps, await viewerOf(actorOf(context), deps), id.value);
  return seen ? cardFor(wordsForTurn(context, deps), seen, deps) : nothingToShow(id.value);
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

/** Wraps a handler so a failure answers the click with a clear message instead of an error. */
export function guardedAction(deps: BotDeps, handler: ActionHandler) {
  return async (context: TurnContext, _state: unknown, data: unknown): Promise<ActionAnswer> => {
    try {
      return await handler(context, data, deps);
    } catch (error) {
      deps.log.error({ verb: (context.activity.value as { action?: { verb?: string } })?.action?.verb, error: errorCode(error) }, 'card action failed');
      return 'Something went wrong on our side and nothing was changed. Please try again in a minute.';
    }
  };
}
