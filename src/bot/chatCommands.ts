import { CardFactory, MessageFactory, TurnContext } from 'botbuilder';
import { Card } from '../cards/render';
import { queueCard, requestDetailsCard } from '../cards/approverCards';
import { reportCard } from '../cards/complianceCards';
import { helpCard, intakeCard, requestListCard } from '../cards/personCards';
import { Actor, CORRECTABLE_PROFILE_FIELDS, type CorrectableProfileField, errorCode, RequestKind, Subject } from '../dsr';
import { Words } from '../i18n';
import { BotDeps } from './botDeps';
import { parseAddress } from './cardInputs';
import { parseIntent } from './intents';
import { cardFor, nothingToShow, readableOf, readRequest, viewerOf } from './readAccess';
import { actorOf, channelReference, isPersonalChat, rememberPersonalChat } from './turnIdentity';
import { wordsForTurn } from './turnWords';

const FIELD_LABELS: Record<CorrectableProfileField, string> = {
  displayName: 'My name',
  givenName: 'My first name',
  surname: 'My last name',
  jobTitle: 'My job title',
  department: 'My department',
  officeLocation: 'My office',
  companyName: 'My company',
  employeeId: 'My employee number',
  employeeType: 'My employment type',
  mobilePhone: 'My mobile number',
  businessPhones: 'My work phone number',
  streetAddress: 'My street address',
  city: 'My city',
  state: 'My state or province',
  postalCode: 'My postal code',
  country: 'My country',
  usageLocation: 'My usage location (two-letter country code)',
  preferredLanguage: 'My preferred language (e.g. en-US)',
  mail: 'My e-mail address',
  userPrincipalName: 'My sign-in name',
};

const sendCard = (context: TurnContext, card: Card) => context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));

/** The intake card for `kind`, with this bot's services and law. */
export function intakeFor(words: Words, kind: RequestKind, deps: BotDeps, onBehalfOf?: Subject): Card {
  return intakeCard(words, kind, {
    regime: deps.defaultRegime,
    services: deps.offeredServices,
    graceDays: deps.purgeGraceDays,
    fields: CORRECTABLE_PROFILE_FIELDS.map((name) => ({ name, label: FIELD_LABELS[name] })),
    ...(onBehalfOf ? { onBehalfOf } : {}),
  });
}

const ONLY_APPROVERS_FILE_FOR_OTHERS = 'Only privacy admins can file a request for someone else. To ask about your own data, leave out the address.';

/** An approver files for someone without Teams access: the subject is looked up in Entra. */
async function intakeOnBehalf(context: TurnContext, deps: BotDeps, actor: Actor, kind: RequestKind, address: string): Promise<void> {
  if (!(await deps.directory.isApprover(actor.aadObjectId))) {
    await context.sendActivity(ONLY_APPROVERS_FILE_FOR_OTHERS);
    return;
  }
  const checked = parseAddress(address);
  if (!checked.ok) {
    await context.sendActivity(checked.problem);
    return;
  }
  const subject = await deps.directory.personByAddress(checked.value);
  if (!subject) {
    await context.sendActivity('I found nobody with that address in the directory. Check the spelling, or use their user principal name.');
    return;
  }
  await sendCard(context, intakeFor(wordsForTurn(context, deps), kind, deps, subject));
}

/**
 * Who a request is about, what it asks and where it stands: for approvers and compliance officers,
 * in their own chat. The subject and the requester get their status card; anyone else nothing.
 */
async function showDetails(context: TurnContext, deps: BotDeps, actor: Actor, requestId: string): Promise<void> {
  const seen = await readRequest(deps, await viewerOf(actor, deps), requestId);
  if (!seen) {
    await context.sendActivity(nothingToShow(requestId));
    return;
  }
  const staff = seen.access.role === 'approver' || seen.access.role === 'complianceOfficer';
  deps.log.info({ requestId, role: seen.access.role }, 'request details shown');
  await sendCard(context, staff ? requestDetailsCard(wordsForTurn(context, deps), seen.request) : cardFor(wordsForTurn(context, deps), seen, deps));
}

/** `status`: the person's own requests; `status <id>`: that request, as its reader may see it. */
async function showStatus(context: TurnContext, deps: BotDeps, actor: Actor, requestId?: string): Promise<void> {
  const viewer = await viewerOf(actor, deps);
  if (!requestId) {
    await sendCard(context, requestListCard(wordsForTurn(context, deps), readableOf(await deps.requests.listFor(actor), viewer)));
    return;
  }
  const seen = await readRequest(deps, viewer, requestId);
  if (seen) await sendCard(context, cardFor(wordsForTurn(context, deps), seen, deps));
  else await context.sendActivity(nothingToShow(requestId));
}

/**
 * The open requests, soonest due first, for an approver: in their own 1:1 chat or in the registered
 * approvals channel. Ids, kinds, states and dates only; `details <id>` names the subject.
 */
async function showQueue(context: TurnContext, deps: BotDeps, actor: Actor): Promise<void> {
  if (!isPersonalChat(context)) {
    const approvals = await deps.conversations.get('channel:approvals');
    if (context.activity.conversation?.conversationType !== 'channel' || approvals?.conversation?.id !== channelReference(context).conversation.id) {
      await context.sendActivity('I list the queue in your 1:1 chat with me, or in the registered approvals channel.');
      return;
    }
  }
  const viewer = await viewerOf(actor, deps);
  if (!viewer.isApprover && !viewer.isComplianceOfficer) {
    await context.sendActivity('Only privacy admins can see the queue of open requests (compliance officers may read it). Type status to see your own requests.');
    return;
  }
  await sendCard(context, queueCard(wordsForTurn(context, deps, 'conversation'), readableOf(await deps.requests.listOpen(), viewer), deps.clock.now()));
}

/**
 * The register report, in the registered compliance channel only: counts and a read-only link to
 * the register, which holds request ids and pseudonyms, no subject's personal data. Anyone in that
 * channel may ask; anywhere else the bot declines.
 */
async function showReport(context: TurnContext, deps: BotDeps): Promise<void> {
  const compliance = await deps.conversations.get('channel:compliance');
  const here = channelReference(context).conversation.id;
  if (context.activity.conversation?.conversationType !== 'channel' || !compliance?.conversation?.id || compliance.conversation.id !== here) {
    await context.sendActivity('I give the register report only in the registered compliance channel.');
    return;
  }
  const published = await deps.register.publish();
  deps.log.info({ requests: published.summary.total }, 'register report given');
  await sendCard(context, reportCard(wordsForTurn(context, deps, 'conversation'), published.summary, published.link));
}

/** Text messages: commands and plain-language requests in 1:1, channel registration in channels. */
export async function onMessage(context: TurnContext, deps: BotDeps): Promise<void> {
  const actor = actorOf(context);
  if (!actor) {
    await context.sendActivity('I can only help people signed in with a work account of this organisation.');
    return;
  }
  const intent = parseIntent(typeof context.activity.text === 'string' ? context.activity.text : '');

  if (!isPersonalChat(context)) {
    if (intent.type === 'report') {
      await showReport(context, deps);
      return;
    }
    if (intent.type === 'queue') {
      await showQueue(context, deps, actor);
      return;
    }
    if (intent.type !== 'register') {
      await context.sendActivity('In channels I only take `register approvals` or `register compliance`. Ask me about your own data in a 1:1 chat with me.');
      return;
    }
    if (context.activity.conversation?.conversationType !== 'channel') {
      await context.sendActivity('Register a channel of a team, not a group chat.');
      return;
    }
    if (!(await deps.directory.isApprover(actor.aadObjectId))) {
      await context.sendActivity('Only privacy admins (members of the DSR approvers group) can register a channel.');
      return;
    }
    await deps.conversations.save(`channel:${intent.role}`, channelReference(context));
    deps.log.info({ role: intent.role }, 'channel registered');
    await context.sendActivity(
      intent.role === 'approvals'
        ? 'This channel now receives approval cards for data subject requests.'
        : 'This channel now follows data subject requests: opened, decided, completed. Request ids, kinds, dates and counts only.',
    );
    return;
  }

  await rememberPersonalChat(context, actor, deps.conversations);
  switch (intent.type) {
    case 'help':
      await sendCard(context, helpCard(wordsForTurn(context, deps)));
      return;
    case 'request':
      if (intent.forAddress) await intakeOnBehalf(context, deps, actor, intent.kind, intent.forAddress);
      else await sendCard(context, intakeFor(wordsForTurn(context, deps), intent.kind, deps));
      return;
    case 'details':
      await showDetails(context, deps, actor, intent.requestId);
      return;
    case 'status':
      await showStatus(context, deps, actor, intent.requestId);
      return;
    case 'queue':
      await showQueue(context, deps, actor);
      return;
    case 'cancel': {
      if (!intent.requestId) {
        await context.sendActivity('Which request? For example: cancel DSR-2026-0042. Type status to see yours.');
        return;
      }
      if (!(await readRequest(deps, await viewerOf(actor, deps), intent.requestId))) {
        await context.sendActivity(nothingToShow(intent.requestId));
        return;
      }
      const outcome = await deps.requests.cancel(intent.requestId, actor);
      await context.sendActivity(outcome.message);
      return;
    }
    case 'report':
      await context.sendActivity('The register report is for the compliance channel: @mention me there with `report`.');
      return;
    case 'register':
      await context.sendActivity('Register a channel from the channel itself: @mention me there with `register approvals` or `register compliance`.');
      return;
    case 'unknown':
      await context.sendActivity("I didn't catch that. I can export, show, correct, restrict or delete the data we hold about you. Type help to see the options.");
  }
}

/** A message handler that answers politely instead of failing the turn. */
export function guarded(deps: BotDeps, handler: (context: TurnContext, deps: BotDeps) => Promise<void>) {
  return async (context: TurnContext): Promise<void> => {
    try {
      await handler(context, deps);
    } catch (error) {
      deps.log.error({ error: errorCode(error) }, 'message handling failed');
      await context.sendActivity('Something went wrong on our side and nothing was changed. Please try again in a minute.');
    }
  };
}
