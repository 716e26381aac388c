import { EntraDirectory } from '../adapters/entraDirectory';
import { Clock } from '../dsr/clock';
import { Executor } from '../dsr/executor';
import { Logger, RequestStore } from '../dsr/ports';
import { RequestService } from '../dsr/requestService';
import { Regime, ServiceName } from '../dsr/types';
import { ConversationStore } from '../storage/conversationStore';

/** What the turn handlers work with. */
export interface BotDeps {
  requests: RequestService;
  executor: Executor;
  directory: EntraDirectory;
  store: RequestStore;
  conversations: ConversationStore;
  clock: Clock;
  log: Logger;
  offeredServices: ServiceName[];
  defaultRegime: Regime;
  erasureApprovals: number;
  purgeGraceDays: number;
}
