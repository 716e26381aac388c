import { AccountLifecycle, Clock, Executor, Logger, PeopleDirectory, Regime, RequestService, RequestStore, ServiceName } from '../dsr';
import { Locale } from '../i18n';
import { ConversationStore } from '../storage/conversationStore';
import { PersonRateLimiter } from '../storage/personRateLimiter';
import { PublishedRegister } from '../storage/registerPublisher';

/** What the turn handlers work with. */
export interface BotDeps {
  requests: RequestService;
  executor: Executor;
  /** Restore, purge now and lift restriction, from the approvers' card. */
  lifecycle: AccountLifecycle;
  directory: PeopleDirectory;
  /** Membership of the compliance officers' group (DSR_COMPLIANCE_GROUP_ID), decided by Entra; false for everyone when it is unset. */
  isComplianceOfficer(aadObjectId: string): Promise<boolean>;
  store: RequestStore;
  conversations: ConversationStore;
  clock: Clock;
  log: Logger;
  offeredServices: ServiceName[];
  defaultRegime: Regime;
  /** The language of channel posts, and of people whose Teams and Entra settings name none the bot speaks. */
  defaultLocale: Locale;
  /** The tenant's time zone, for every date and time people read. */
  timeZone: string;
  erasureApprovals: number;
  purgeGraceDays: number;
  /** Chat messages one person may send per minute. */
  messagesPerMinute: number;
  /** Card actions one person may send per minute. */
  invokesPerMinute: number;
  /** Counts both per person, shared by every instance. */
  rateLimiter: PersonRateLimiter;
  /** Resolves when a counted message may be answered: once no card action is being answered, or after a bounded wait. */
  cardActionsFirst(): Promise<void>;
  /** Draws up the DSR register and hands out a link to it, for the compliance channel's `report`. */
  register: { publish(): Promise<PublishedRegister> };
}
