import { CardFactory, MessageFactory, TurnContext } from 'botbuilder';
import { Card } from '../cards/render';
import { queueCard, requestDetailsCard } from '../cards/approverCards';
import { reportCard } from '../cards/complianceCards';
import { helpCard, intakeCard, requestListCard } from '../cards/personCards';
import { Actor, CORRECTABLE_PROFILE_FIELDS, type CorrectableProfileField, errorCode, RequestKind, Subject } from '../dsr';
import { MessageKey, Words } from '../i18n';
import { BotDeps } from './botDeps';
import { parseAddress } from './cardInputs';
import { Intent, parseIntent } from './intents';
import { cancelWords, inputWords } from './outcomeWords';
import { cardFor, nothingToShow, readableOf, readRequest, viewerOf } from './readAccess';
import { actorOf, channelReference, isPersonalChat, rememberPersonalChat } from './turnIdentity';
import { wordsForTurn } from './turnWords';

const FIELD_LABELS: Record<CorrectableProfileField, MessageKey> = {
  displayName: 'chat.field.displayName',
  givenName: 'chat.field.givenName',
  surname: 'chat.field.surname',
  jobTitle: 'chat.field.jobTitle',
  department: 'chat.field.department',
  officeLocation: 'chat.field.officeLocation',
  companyName: 'chat.field.companyName',
  employeeId: 'chat.field.employeeId',
  employeeType: 'chat.field.employeeType',
  mobilePhone: 'chat.field.mobilePhone',
  businessPhones: 'chat.field.businessPhones',
  streetAddress: 'chat.field.streetAddress',
  city: 'chat.field.city',
  state: 'chat.field.state',
  postalCode: 'chat.field.postalCode',
  country: 'chat.field.country',
  usageLocation: 'chat.field.usageLocation',
  preferredLanguage: 'chat.field.preferredLanguage',
  mail: 'chat.field.mail',
  userPrincipalName: 'chat.field.userPrincipalName',
};

const sendCard = (context: TurnContext, card: Card) => context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));

/** The intake card for `kind`, with this bot's services and law. */
export function intakeFor(words: Words, kind: RequestKind, deps: BotDeps, onBehalfOf?: Subject): Card {
  return intakeCard(words, kind, {
    regime: deps.defaultRegime,
    services: deps.offeredServices,
    graceDays: deps.purgeGraceDays,
    fields: CORRECTABLE_PROFILE_FIELDS.map((name) => ({ name, label: words.t(FIELD_LABELS[name]) })),
    ...(onBehalfOf ? { onBehalfOf } : {}),
  });
}

/** An approver files for someone without Teams access: the subject is looked up in Entra. */
async function intakeOnBehalf(context: TurnContext, deps: BotDeps, words: Words, actor: Actor, kind: RequestKind, address: string): Promise<void> {
  if (!(await deps.directory.isApprover(actor.aadObjectId))) {
    await context.sendActivity(words.t('chat.onBehalf.onlyApprovers'));
    return;
  }
  const checked = parseAddress(address);
  if (!checked.ok) {
    await context.sendActivity(inputWords(words, checked.problem));
    return;
  }
  const subject = await deps.directory.personByAddress(checked.value);
  if (!subject) {
    await context.sendActivity(words.t('chat.onBehalf.nobodyFound'));
    return;
  }
  await sendCard(context, intakeFor(words, kind, deps, subject));
}

/**
 * Who a request is about, what it asks and where it stands: for approvers and compliance officers,
 * in their own chat. The subject and the requester get their status card; anyone else nothing.
 */
async function showDetails(context: TurnContext, deps: BotDeps, words: Words, actor: Actor, requestId: string): Promise<void> {
  const seen = await readRequest(deps, viewerOf(actor, deps), requestId);
  if (!seen) {
    await context.sendActivity(nothingToShow(words, requestId));
    return;
  }
  const staff = seen.access.role === 'approver' || seen.access.role === 'complianceOfficer';
  deps.log.info({ requestId, role: seen.access.role }, 'request details shown');
  await sendCard(context, staff ? requestDetailsCard(wordsForTurn(context, deps), seen.request) : cardFor(wordsForTurn(context, deps), seen, deps));
}

/** `status`: the person's own requests; `status <id>`: that request, as its reader may see it. */
async function showStatus(context: TurnContext, deps: BotDeps, words: Words, actor: Actor, requestId?: string): Promise<void> {
  const viewer = viewerOf(actor, deps);
  if (!requestId) {
    const [requests, who] = await Promise.all([deps.requests.listFor(actor), viewer]);
    await sendCard(context, requestListCard(words, readableOf(requests, who)));
    return;
  }
  const seen = await readRequest(deps, viewer, requestId);
  if (seen) await sendCard(context, cardFor(words, seen, deps));
  else await context.sendActivity(nothingToShow(words, requestId));
}

/**
 * The open requests, soonest due first, for an approver: in their own 1:1 chat or in the registered
 * approvals channel. Ids, kinds, states and dates only; `details <id>` names the subject.
 */
async function showQueue(context: TurnContext, deps: BotDeps, words: Words, actor: Actor): Promise<void> {
  if (!isPersonalChat(context)) {
    const approvals = await deps.conversations.get('channel:approvals');
    if (context.activity.conversation?.conversationType !== 'channel' || approvals?.conversation?.id !== channelReference(context).conversation.id) {
      await context.sendActivity(words.t('chat.queue.wrongPlace'));
      return;
    }
  }
  const viewer = await viewerOf(actor, deps);
  if (!viewer.isApprover && !viewer.isComplianceOfficer) {
    await context.sendActivity(words.t('chat.queue.notAllowed'));
    return;
  }
  await sendCard(context, queueCard(wordsForTurn(context, deps, 'conversation'), readableOf(await deps.requests.listOpen(), viewer), deps.clock.now()));
}

/**
 * The register report, in the registered compliance channel only: counts and a read-only link to
 * the register, which holds request ids and pseudonyms, no subject's personal data. Anyone in that
 * channel may ask; anywhere else the bot declines.
 */
async function showReport(context: TurnContext, deps: BotDeps, words: Words): Promise<void> {
  const compliance = await deps.conversations.get('channel:compliance');
  const here = channelReference(context).conversation.id;
  if (context.activity.conversation?.conversationType !== 'channel' || !compliance?.conversation?.id || compliance.conversation.id !== here) {
    await context.sendActivity(words.t('chat.report.wrongPlace'));
    return;
  }
  const published = await deps.register.publish();
  deps.log.info({ requests: published.summary.total }, 'register report given');
  await sendCard(context, reportCard(wordsForTurn(context, deps, 'conversation'), published.summary, published.link));
}

/** Text messages: commands and plain-language requests in 1:1, channel registration in channels. */
export async function onMessage(context: TurnContext, deps: BotDeps): Promise<void> {
  // In a channel everyone reads the reply: the tenant's language; in a 1:1 chat the sender's.
  const words = wordsForTurn(context, deps, 'conversation');
  const actor = actorOf(context);
  if (!actor) {
    await context.sendActivity(words.t('chat.identity.notSignedIn'));
    return;
  }
  const intent = parseIntent(typeof context.activity.text === 'string' ? context.activity.text : '');

  if (!isPersonalChat(context)) {
    if (intent.type === 'report') {
      await showReport(context, deps, words);
      return;
    }
    if (intent.type === 'queue') {
      await showQueue(context, deps, words, actor);
      return;
    }
    if (intent.type !== 'register') {
      await context.sendActivity(words.t('chat.channel.onlyRegister'));
      return;
    }
    if (context.activity.conversation?.conversationType !== 'channel') {
      await context.sendActivity(words.t('chat.channel.notGroupChat'));
      return;
    }
    if (!(await deps.directory.isApprover(actor.aadObjectId))) {
      await context.sendActivity(words.t('chat.channel.onlyApprovers'));
      return;
    }
    await deps.conversations.save(`channel:${intent.role}`, channelReference(context));
    deps.log.info({ role: intent.role }, 'channel registered');
    await context.sendActivity(words.t(intent.role === 'approvals' ? 'chat.channel.approvalsRegistered' : 'chat.channel.complianceRegistered'));
    return;
  }

  // The way back to this chat is kept while the answer goes out, not before it: both must succeed,
  // and a failure of either is answered once both are done.
  const done = await Promise.allSettled([answerInChat(context, deps, words, actor, intent), rememberPersonalChat(context, actor, deps.conversations)]);
  for (const outcome of done) if (outcome.status === 'rejected') throw outcome.reason;
}

/** The answer to a message in a person's 1:1 chat. */
async function answerInChat(context: TurnContext, deps: BotDeps, words: Words, actor: Actor, intent: Intent): Promise<void> {
  switch (intent.type) {
    case 'help':
      await sendCard(context, helpCard(wordsForTurn(context, deps)));
      return;
    case 'request':
      if (intent.forAddress) await intakeOnBehalf(context, deps, words, actor, intent.kind, intent.forAddress);
      else await sendCard(context, intakeFor(words, intent.kind, deps));
      return;
    case 'details':
      await showDetails(context, deps, words, actor, intent.requestId);
      return;
    case 'status':
      await showStatus(context, deps, words, actor, intent.requestId);
      return;
    case 'queue':
      await showQueue(context, deps, words, actor);
      return;
    case 'cancel': {
      if (!intent.requestId) {
        await context.sendActivity(words.t('chat.cancel.whichRequest'));
        return;
      }
      if (!(await readRequest(deps, viewerOf(actor, deps), intent.requestId))) {
        await context.sendActivity(nothingToShow(words, intent.requestId));
        return;
      }
      const outcome = await deps.requests.cancel(intent.requestId, actor);
      await context.sendActivity(cancelWords(words, outcome));
      return;
    }
    case 'report':
      await context.sendActivity(words.t('chat.report.inPersonalChat'));
      return;
    case 'register':
      await context.sendActivity(words.t('chat.channel.registerFromChannel'));
      return;
    case 'unknown':
      await context.sendActivity(words.t('chat.unknown.reply'));
  }
}

/** A message handler that answers politely instead of failing the turn. */
export function guarded(deps: BotDeps, handler: (context: TurnContext, deps: BotDeps) => Promise<void>) {
  return async (context: TurnContext): Promise<void> => {
    try {
      await handler(context, deps);
    } catch (error) {
      deps.log.error({ error: errorCode(error) }, 'message handling failed');
      await context.sendActivity(wordsForTurn(context, deps, 'conversation').t('chat.failure.ourSide'));
    }
  };
}
