import { Activity, CardFactory, CloudAdapter, ConversationReference, MessageFactory, TurnContext } from 'botbuilder';
import { Card, plainText } from '../cards/render';
import { approvalCard, complianceCard, exportReadyCard, KIND_TITLES, receiptCard, reminderText, statusCard } from '../cards/views';
import { AuditHeads, AuditLog, Clock, deliveryRecipient, displayDay, DsrRequest, errorCode, Logger, Notifier, pendingManualSteps, PostedCard, recipientsTold, rememberCard, RequestNotice, RequestStore, SERVICE_LABELS, updateRequest } from '../dsr';
import { BlobExportStore } from '../storage/blobExportStore';
import { ConversationKey, ConversationStore, userConversationKey } from '../storage/conversationStore';

export interface TeamsNotifierDeps {
  adapter: CloudAdapter;
  botAppId: string;
  conversations: ConversationStore;
  store: RequestStore;
  exports: BlobExportStore;
  clock: Clock;
  log: Logger;
  erasureApprovals: number;
  exportLinkDays: number;
  /** Records each delivery of a link or receipt (or its failure) in the request's audit chain; its head goes on the receipt. */
  audit: AuditLog & AuditHeads;
}

const cardActivity = (card: Card): Partial<Activity> => MessageFactory.attachment(CardFactory.adaptiveCard(card));

/** The subject's notice when a privacy admin filed a request about them: by whom, of what kind. */
const filedForYouText = (request: DsrRequest) =>
  `${plainText(request.requester.displayName, 120)}, a privacy admin, filed a request about you: ${KIND_TITLES[request.kind]} (${request.id}). I will tell you here how it goes.`;

/** The requester's notices of restore and lift: the request id only, in their own chat. */
const RESTORED_TEXT = (request: DsrRequest) =>
  `A privacy admin restored the Entra account that your request ${request.id} had deleted; it will not be purged. Only the Entra account came back: what the other services erased stays erased.`;
const LIFTED_TEXT = (request: DsrRequest) =>
  `The restriction of your request ${request.id} was lifted: sign-in and the devices it stopped work again. Sessions signed out by the restriction stay signed out.`;
/** Approvers told that a service export needs them: ids and dates only, as everything in a channel. */
const serviceExportWarning = (request: DsrRequest) => {
  const stuck = request.serviceExport?.status === 'failed' || request.serviceExport?.status === 'unknown';
  return `${request.id}: the export of ${SERVICE_LABELS[request.serviceExport?.service ?? 'systemLogs']} ${stuck ? 'did not complete' : 'is still running'} and the request is due by ${displayDay(request.dueAt)}. `
    + `Extend the deadline on the request's card${stuck ? ', or retry the export there' : ''}.`;
};

/**
 * Tells the people of a request what happened, proactively: the requester in their 1:1 chat
 * (the only place personal data and links go), approvers on their card, the compliance channel
 * with ids, dates and counts.
 */
export class TeamsNotifier implements Notifier {
  constructor(private readonly deps: TeamsNotifierDeps) {}

  async notify(notice: RequestNotice, request: DsrRequest): Promise<void> {
    switch (notice) {
      case 'opened':
        return this.all(this.refreshStatus(request), this.toCompliance(request, 'opened'), this.toSubjectFiledForThem(request));
      case 'awaitingApproval':
        return this.all(this.postApprovalCard(request), this.refreshStatus(request));
      case 'approvalRecorded':
        return this.all(
          this.refreshApproval(request),
          this.refreshStatus(request),
          this.toRequester(request, MessageFactory.text(`A privacy admin approved your request ${request.id}. An erasure needs one more approval before anything is removed.`)),
        );
      case 'progress':
        return this.all(this.refreshApproval(request), this.refreshStatus(request));
      case 'approved':
        return this.all(
          this.refreshApproval(request),
          this.refreshStatus(request),
          this.toRequester(request, MessageFactory.text(`Your request ${request.id} was approved and is being carried out. I will tell you here when it is done.`)),
          this.toCompliance(request, 'approved'),
        );
      case 'cancelled':
        return this.all(this.refreshApproval(request), this.refreshStatus(request), this.toCompliance(request, 'cancelled'));
      case 'rejected':
        return this.all(
          this.refreshApproval(request),
          this.refreshStatus(request),
          this.toRequester(request, MessageFactory.text(`Your request ${request.id} was rejected. Reason given: ${plainText(request.decisions.at(-1)?.reason ?? 'none')}`)),
          this.toCompliance(request, 'rejected'),
        );
      case 'completed':
        return this.all(this.refreshApproval(request), this.refreshStatus(request), this.deliver(request), this.toCompliance(request, 'completed'));
      case 'failed':
        return this.all(this.refreshApproval(request), this.refreshStatus(request), this.toCompliance(request, 'failed'));
      case 'manualStepsPending':
        return this.all(
          this.refreshApproval(request),
          this.refreshStatus(request),
          this.send('channel:approvals', MessageFactory.text(`${request.id}: the automated steps are done. ${pendingManualSteps(request).length} manual step(s) wait for a privacy admin on the request's card.`)),
        );
      case 'deltaAwaitingApproval':
        return this.all(this.postDeltaApprovalCard(request), this.refreshStatus(request));
      case 'purged':
        return this.all(this.refreshApproval(request), this.refreshStatus(request), this.toCompliance(request, 'purged'));
      case 'accountRestored':
        return this.all(this.refreshApproval(request), this.refreshStatus(request), this.toRequester(request, MessageFactory.text(RESTORED_TEXT(request))), this.toCompliance(request, 'restored'));
      case 'followUpApprovalRecorded':
        return this.refreshApproval(request);
      case 'restrictionLifted':
        return this.all(this.refreshApproval(request), this.refreshStatus(request), this.toRequester(request, MessageFactory.text(LIFTED_TEXT(request))), this.toCompliance(request, 'restrictionLifted'));
      case 'liftFailed':
        return this.all(this.refreshApproval(request), this.toCompliance(request, 'liftFailed'));
      case 'extended':
        return this.all(
          this.refreshApproval(request),
          this.refreshStatus(request),
          this.toRequester(
            request,
            MessageFactory.text(
              `We need more time for your request ${request.id}: it is now due by ${displayDay(request.dueAt)}. Reason given: ${plainText(request.extensions?.at(-1)?.reason ?? 'none')}`,
            ),
          ),
          this.toCompliance(request, 'extended'),
        );
      case 'awaitingServiceExport':
        return this.all(this.refreshApproval(request), this.refreshStatus(request), this.deliver(request));
      case 'serviceExportDelivered':
        return this.all(this.refreshApproval(request), this.refreshStatus(request), this.deliver(request, request.serviceExport?.delivery), this.toCompliance(request, 'completed'));
      case 'serviceExportNeedsApprovers':
        return this.all(this.refreshApproval(request), this.refreshStatus(request), this.send('channel:approvals', MessageFactory.text(serviceExportWarning(request))));
      case 'reminder': {
        const stage = request.reminders?.at(-1)?.stage;
        if (!stage) return;
        // Approvers are reminded before the due date; once it has passed, the compliance channel is told.
        const key: ConversationKey = stage === 'overdue' ? 'channel:compliance' : 'channel:approvals';
        await this.send(key, MessageFactory.text(reminderText(request, stage, this.deps.clock.now())));
        return;
      }
    }
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

  /** Each message on its own: one that fails (say the user blocked the bot) does not stop the others. */
  private async all(...sends: Promise<unknown>[]): Promise<void> {
    const results = await Promise.allSettled(sends);
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length) throw (failed[0] as PromiseRejectedResult).reason;
  }

  private async postApprovalCard(request: DsrRequest): Promise<void> {
    const card = approvalCard(request, { erasureApprovals: this.deps.erasureApprovals });
    // A redelivered discovery job finds the card already posted: replace it rather than post twice.
    if (request.cards.approval) return this.replace(request.cards.approval, card);
    const key: ConversationKey = 'channel:approvals';
    const activityId = await this.send(key, cardActivity(card));
    if (activityId) await rememberCard(this.deps.store, request.id, 'approval', { conversationKey: key, activityId });
  }

  /**
   * Execution found items beyond the plan: the old card shows where the request stands, and a new
   * card (counts and hash only) asks the approvers about the delta; later changes update the new one.
   */
  private async postDeltaApprovalCard(request: DsrRequest): Promise<void> {
    const card = approvalCard(request, { erasureApprovals: this.deps.erasureApprovals });
    const round = request.deltas?.length ?? 0;
    // A redelivered job finds this round's card already posted: replace it rather than post twice.
    if (request.cards.approval && request.cards.deltaRound === round) return this.replace(request.cards.approval, card);
    await this.refreshApproval(request);
    const key: ConversationKey = 'channel:approvals';
    const activityId = await this.send(key, cardActivity(card));
    if (activityId) await rememberCard(this.deps.store, request.id, 'approval', { conversationKey: key, activityId }, round);
  }

  private async refreshApproval(request: DsrRequest): Promise<void> {
    if (request.cards.approval) await this.replace(request.cards.approval, approvalCard(request, { erasureApprovals: this.deps.erasureApprovals }));
  }

  private async refreshStatus(request: DsrRequest): Promise<void> {
    if (request.cards.status) await this.replace(request.cards.status, statusCard(request));
  }

  private async toRequester(request: DsrRequest, activity: Partial<Activity>): Promise<void> {
    await this.send(userConversationKey(request.requester.aadObjectId), activity);
  }

  /** A request filed on someone's behalf: the subject hears of it in their own 1:1 chat, if they have one with the bot. */
  private async toSubjectFiledForThem(request: DsrRequest): Promise<void> {
    if (request.requester.aadObjectId === request.subject.aadObjectId) return;
    const key = userConversationKey(request.subject.aadObjectId);
    if (await this.deps.conversations.get(key)) await this.send(key, MessageFactory.text(filedForYouText(request)));
  }

  private async toCompliance(request: DsrRequest, event: Parameters<typeof complianceCard>[1]): Promise<void> {
    await this.send('channel:compliance', cardActivity(complianceCard(request, event, this.deps.clock.now())));
  }

  /**
   * The export link or the receipt, to one person's own chat and nowhere else: the subject's when
   * the bot can reach them, else the filing privacy admin's (src/dsr/model/deliveryRecipient.ts). The request
   * records which, for the register.
   */
  private async deliver(request: DsrRequest, delivery = request.delivery): Promise<void> {
    const subjectHasChat = (await this.deps.conversations.get(userConversationKey(request.subject.aadObjectId))) !== undefined;
    // A second package (a service's own export) goes to the same chat as the first.
    const to = delivery !== request.delivery && request.deliveredTo ? request.deliveredTo : deliveryRecipient(request, subjectHasChat);
    // Downloads through the link are not seen by the bot (the SAS goes straight to Storage): 'delivered' is the last event it can know.
    let what: Record<string, string> = { what: 'receipt', recipientsTold: recipientsTold(request).join(','), to };
    let sent: string | undefined;
    try {
      let activity: Partial<Activity>;
      if (delivery) {
        const link = await this.deps.exports.linkFor(delivery.blobName, this.deps.exportLinkDays);
        what = { what: 'export link', linkExpiresAt: link.expiresAt.toISOString(), to };
        activity = cardActivity(exportReadyCard(request, link, delivery));
      } else {
        activity = cardActivity(receiptCard(request, await this.deps.audit.head(request.id)));
      }
      sent = await this.send(userConversationKey((to === 'subject' ? request.subject : request.requester).aadObjectId), activity);
    } catch (error) {
      await this.deps.audit.append(request.id, 'delivery failed', { ...what, error: errorCode(error) });
      throw error;
    }
    await this.deps.audit.append(request.id, sent ? 'delivered' : 'delivery failed', sent ? what : { ...what, reason: `no chat with the ${to} is known` });
    if (sent) await updateRequest(this.deps.store, request.id, (r) => ({ ...r, deliveredTo: to }));
  }

}
