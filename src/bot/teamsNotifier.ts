import { Activity, CardFactory, CloudAdapter, ConversationReference, MessageFactory, TurnContext } from 'botbuilder';
import { approvalCard } from '../cards/approverCards';
import { ComplianceEvent, complianceCard, reminderText } from '../cards/complianceCards';
import { exportReadyCard, receiptCard, statusCard } from '../cards/personCards';
import { Card, plainText } from '../cards/render';
import { AuditHeads, AuditLog, Clock, deliveryRecipient, DsrRequest, errorCode, Logger, NoticeOptions, NoticeOutcome, Notifier, pendingManualSteps, PostedCard, recipientsTold, RequestNotice } from '../dsr';
import { serviceLabel } from '../words/stepWords';
import { MessageKey, MessageValues, Words } from '../i18n';
import { BlobExportStore } from '../storage/blobExportStore';
import { ConversationKey, ConversationStore, userConversationKey } from '../storage/conversationStore';
import { wordsForChannel, wordsForPerson, WordsSettings } from './turnWords';

export interface TeamsNotifierDeps extends WordsSettings {
  adapter: CloudAdapter;
  botAppId: string;
  conversations: Pick<ConversationStore, 'get'>;
  exports: BlobExportStore;
  clock: Clock;
  log: Logger;
  erasureApprovals: number;
  exportLinkDays: number;
  /** Records each delivery of a link or receipt (or its failure) in the request's audit chain; its head goes on the receipt. */
  audit: AuditLog & AuditHeads;
}

const cardActivity = (card: Card): Partial<Activity> => MessageFactory.attachment(CardFactory.adaptiveCard(card));

/** What one recipient's send left for the request to remember. */
type Posted = Omit<NoticeOutcome, 'failures'>;
/** One recipient of a notice: sends to them, and says what it posted. */
type Recipient = (to: TeamsNotifier, request: DsrRequest) => Promise<Posted | void>;

const approvers: Recipient = (to, request) => to.refreshApproval(request);
const status: Recipient = (to, request) => to.refreshStatus(request);
/** The recipients that replace posted cards in place, left out when the caller refreshes them next. */
const CARD_REFRESHES: readonly Recipient[] = [approvers, status];
const compliance = (event: ComplianceEvent): Recipient => (to, request) => to.toCompliance(request, event);
const delivery: Recipient = (to, request) => to.deliver(request);
const requester = (key: MessageKey, values: (words: Words, request: DsrRequest) => MessageValues = () => ({})): Recipient =>
  (to, request) => to.toRequester(request, key, values);
/** A reason an approver typed, or "none". */
const reasonOf = (words: Words, reason: string | undefined) => plainText(reason ?? words.t('notices.requester.noReason'));

/**
 * Who hears of each moment of a request, and how: the requester in their 1:1 chat (the only place
 * personal data and links go), approvers on their card, the compliance channel with ids, dates and counts.
 */
export const NOTICE_RECIPIENTS: Record<RequestNotice, Recipient[]> = {
  // No status refresh: the answer to the Submit click is the status card.
  opened: [compliance('opened'), (to, request) => to.toSubjectFiledForThem(request)],
  awaitingApproval: [(to, request) => to.postApprovalCard(request), status],
  approvalRecorded: [approvers, status, requester('notices.requester.approvalRecorded')],
  progress: [approvers, status],
  approved: [approvers, status, requester('notices.requester.approved'), compliance('approved')],
  cancelled: [approvers, status, compliance('cancelled')],
  rejected: [approvers, status, requester('notices.requester.rejected', (words, r) => ({ reason: reasonOf(words, r.decisions.at(-1)?.reason) })), compliance('rejected')],
  completed: [approvers, status, delivery, compliance('completed')],
  failed: [approvers, status, compliance('failed')],
  manualStepsPending: [approvers, status, (to, request) => to.toApprovers(request, 'notices.approvers.manualStepsPending', { count: pendingManualSteps(request).length })],
  deltaAwaitingApproval: [(to, request) => to.postDeltaApprovalCard(request), status],
  purged: [approvers, status, compliance('purged')],
  accountRestored: [approvers, status, requester('notices.requester.restored'), compliance('restored')],
  followUpApprovalRecorded: [approvers],
  restrictionLifted: [approvers, status, requester('notices.requester.lifted'), compliance('restrictionLifted')],
  liftFailed: [approvers, compliance('liftFailed')],
  extended: [
    approvers,
    status,
    requester('notices.requester.extended', (words, r) => ({ day: words.day(r.dueAt), reason: reasonOf(words, r.extensions?.at(-1)?.reason) })),
    compliance('extended'),
  ],
  awaitingServiceExport: [approvers, status, delivery],
  serviceExportDelivered: [approvers, status, (to, request) => to.deliver(request, request.serviceExport?.delivery), compliance('completed')],
  serviceExportNeedsApprovers: [approvers, status, (to, request) => to.serviceExportWarning(request)],
  reminder: [(to, request) => to.remind(request)],
};

/** The recipients of one notice share one read of each conversation (the requester's status card and message, say). */
function readingOnce(conversations: Pick<ConversationStore, 'get'>): Pick<ConversationStore, 'get'> {
  const reads = new Map<ConversationKey, ReturnType<ConversationStore['get']>>();
  return {
    get(key) {
      const read = reads.get(key) ?? conversations.get(key);
      reads.set(key, read);
      return read;
    },
  };
}

/**
 * Tells the people of a request what happened, proactively, as `NOTICE_RECIPIENTS` says. Writes
 * nothing of the request: it returns what it posted, and the domain records it.
 */
export class TeamsNotifier implements Notifier {
  constructor(private readonly deps: TeamsNotifierDeps) {}

  /** Each recipient on their own: one that fails (say the user blocked the bot) does not stop the others. */
  async notify(notice: RequestNotice, request: DsrRequest, options?: NoticeOptions): Promise<NoticeOutcome> {
    const to = new TeamsNotifier({ ...this.deps, conversations: readingOnce(this.deps.conversations) });
    const recipients = NOTICE_RECIPIENTS[notice].filter((recipient) => !(options?.cardsRefreshedNext && CARD_REFRESHES.includes(recipient)));
    const results = await Promise.allSettled(recipients.map((recipient) => recipient(to, request)));
    const posted = results.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []));
    return Object.assign({ failures: results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : [])) }, ...posted);
  }

  /** Sends `activity` to a stored conversation; returns the new activity id, or undefined if nobody registered it. */
  async send(key: ConversationKey, activity: Partial<Activity>): Promise<string | undefined> {
    return this.withConversation(key, async (context) => (await context.sendActivity(activity))?.id);
  }

  /** Replaces a posted card in place, for everyone who sees it. */
  async replace(card: PostedCard, replacement: Card): Promise<void> {
    await this.withConversation(card.conversationKey as ConversationKey, async (context) => {
      await context.updateActivity({ ...cardActivity(replacement), id: card.activityId });
    });
  }

  private async withConversation<T>(key: ConversationKey, logic: (context: TurnContext) => Promise<T>): Promise<T | undefined> {
    const reference = await this.deps.conversations.get(key);
    if (!reference) {
      this.deps.log.warn({ conversation: key.startsWith('user:') ? 'user' : key }, 'no conversation registered, message not sent');
      return undefined;
    }
    let result: T | undefined;
    await this.deps.adapter.continueConversationAsync(this.deps.botAppId, reference as ConversationReference, async (context) => {
      result = await logic(context);
    });
    return result;
  }

  /** The approvers' card, in the channel's language. */
  private approvalCardOf(request: DsrRequest): Card {
    return approvalCard(wordsForChannel(this.deps), request, { erasureApprovals: this.deps.erasureApprovals });
  }

  async postApprovalCard(request: DsrRequest): Promise<Posted | void> {
    const card = this.approvalCardOf(request);
    // A redelivered discovery job finds the card already posted: replace it rather than post twice.
    if (request.cards.approval) return this.replace(request.cards.approval, card);
    const key: ConversationKey = 'channel:approvals';
    const activityId = await this.send(key, cardActivity(card));
    return activityId ? { approvalCard: { card: { conversationKey: key, activityId } } } : undefined;
  }

  /**
   * Execution found items beyond the plan: the old card shows where the request stands, and a new
   * card (counts and hash only) asks the approvers about the delta; later changes update the new one.
   */
  async postDeltaApprovalCard(request: DsrRequest): Promise<Posted | void> {
    const card = this.approvalCardOf(request);
    const round = request.deltas?.length ?? 0;
    // A redelivered job finds this round's card already posted: replace it rather than post twice.
    if (request.cards.approval && request.cards.deltaRound === round) return this.replace(request.cards.approval, card);
    await this.refreshApproval(request);
    const key: ConversationKey = 'channel:approvals';
    const activityId = await this.send(key, cardActivity(card));
    return activityId ? { approvalCard: { card: { conversationKey: key, activityId }, deltaRound: round } } : undefined;
  }

  async refreshApproval(request: DsrRequest): Promise<void> {
    if (request.cards.approval) await this.replace(request.cards.approval, this.approvalCardOf(request));
  }

  async refreshStatus(request: DsrRequest): Promise<void> {
    if (request.cards.status) await this.replace(request.cards.status, statusCard(wordsForPerson(this.deps, request.requester), request));
  }

  async toRequester(request: DsrRequest, key: MessageKey, values: (words: Words, request: DsrRequest) => MessageValues): Promise<void> {
    const words = wordsForPerson(this.deps, request.requester);
    await this.send(userConversationKey(request.requester.aadObjectId), MessageFactory.text(words.t(key, { id: request.id, ...values(words, request) })));
  }

  /** A line for the approvals channel, in its language: ids and counts only. */
  async toApprovers(request: DsrRequest, key: MessageKey, values: MessageValues): Promise<void> {
    await this.send('channel:approvals', MessageFactory.text(wordsForChannel(this.deps).t(key, { id: request.id, ...values })));
  }

  /** Approvers told that a service export needs them: ids and dates only, as everything in a channel. */
  async serviceExportWarning(request: DsrRequest): Promise<void> {
    const stuck = request.serviceExport?.status === 'failed' || request.serviceExport?.status === 'unknown';
    const words = wordsForChannel(this.deps);
    const values = { service: serviceLabel(words, request.serviceExport?.service ?? 'systemLogs'), day: words.day(request.dueAt) };
    await this.toApprovers(request, stuck ? 'notices.approvers.serviceExportStuck' : 'notices.approvers.serviceExportRunning', values);
  }

  /** Approvers are reminded before the due date; once it has passed, the compliance channel is told. */
  async remind(request: DsrRequest): Promise<void> {
    const stage = request.reminders?.at(-1)?.stage;
    if (!stage) return;
    const key: ConversationKey = stage === 'overdue' ? 'channel:compliance' : 'channel:approvals';
    await this.send(key, MessageFactory.text(reminderText(wordsForChannel(this.deps), request, stage, this.deps.clock.now())));
  }

  /**
   * The subject's words: their Teams locale as stored with their chat, else Entra's
   * `preferredLanguage`, else the default; the requester's own when they are the subject.
   */
  private async subjectWords(request: DsrRequest): Promise<Words> {
    if (request.requester.aadObjectId === request.subject.aadObjectId) return wordsForPerson(this.deps, request.requester);
    const reference = await this.deps.conversations.get(userConversationKey(request.subject.aadObjectId));
    return wordsForPerson(this.deps, { locale: reference?.locale, preferredLanguage: request.subject.preferredLanguage });
  }

  /** A request filed on someone's behalf: the subject hears of it in their own 1:1 chat, if they have one with the bot. */
  async toSubjectFiledForThem(request: DsrRequest): Promise<void> {
    if (request.requester.aadObjectId === request.subject.aadObjectId) return;
    const key = userConversationKey(request.subject.aadObjectId);
    if (!(await this.deps.conversations.get(key))) return;
    const words = await this.subjectWords(request);
    await this.send(key, MessageFactory.text(words.t('notices.requester.filedForYou', { admin: plainText(request.requester.displayName, 120), kind: request.kind, id: request.id })));
  }

  async toCompliance(request: DsrRequest, event: ComplianceEvent): Promise<void> {
    await this.send('channel:compliance', cardActivity(complianceCard(wordsForChannel(this.deps), request, event, this.deps.clock.now())));
  }

  /**
   * The export link or the receipt, to one person's own chat and nowhere else: the subject's when
   * the bot can reach them, else the filing privacy admin's (src/dsr/model/deliveryRecipient.ts).
   * Returns which, for the domain to record in the request (the register reads it).
   */
  async deliver(request: DsrRequest, delivery = request.delivery): Promise<Posted | void> {
    const subjectHasChat = (await this.deps.conversations.get(userConversationKey(request.subject.aadObjectId))) !== undefined;
    // A second package (a service's own export) goes to the same chat as the first.
    const to = delivery !== request.delivery && request.deliveredTo ? request.deliveredTo : deliveryRecipient(request, subjectHasChat);
    const words = to === 'subject' ? await this.subjectWords(request) : wordsForPerson(this.deps, request.requester);
    // Downloads through the link are not seen by the bot (the SAS goes straight to Storage): 'delivered' is the last event it can know.
    let what: Record<string, string> = { what: 'receipt', recipientsTold: recipientsTold(request).join(','), to };
    let sent: string | undefined;
    try {
      let activity: Partial<Activity>;
      if (delivery) {
        const link = await this.deps.exports.linkFor(delivery.blobName, this.deps.exportLinkDays);
        what = { what: 'export link', linkExpiresAt: link.expiresAt.toISOString(), to };
        activity = cardActivity(exportReadyCard(words, request, link, delivery));
      } else {
        activity = cardActivity(receiptCard(words, request, await this.deps.audit.writtenHead(request.id)));
      }
      sent = await this.send(userConversationKey((to === 'subject' ? request.subject : request.requester).aadObjectId), activity);
    } catch (error) {
      await this.deps.audit.append(request.id, 'delivery failed', { ...what, error: errorCode(error) });
      throw error;
    }
    await this.deps.audit.append(request.id, sent ? 'delivered' : 'delivery failed', sent ? what : { ...what, reason: `no chat with the ${to} is known` });
    return sent ? { deliveredTo: to } : undefined;
  }
}
