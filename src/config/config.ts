import type { ThrottleSettings } from './throttleSettings';
import type { Regime, ServiceName } from '../dsr';
import type { Locale } from '../i18n';
import type { AuditKeySource } from './auditKeySettings';
import type { BotAppType } from './botFrameworkSettings';
import type { CallPolicyConfig, ReadSharingConfig } from './callPolicySettings';
import type { DigitalTwinsConfig, DpsConfig, IotCentralConfig, IotHubConfig } from './iotServiceSettings';
import type { RoleAssignmentsConfig } from './roleAssignmentSettings';
import type { StorageAccountEndpoints } from './storageSettings';
import type { TabConfig } from './tabSettings';

export interface Config {
  /** No Azure at all: local stand-ins, a fixed token, the seeded tenant. */
  sandbox: boolean;
  host: string;
  port: number;
  /** Empty in sandbox mode: then inbound requests are not authenticated and the bot binds to loopback only. */
  botAppId: string;
  /** What `botAppId` names: an app registration (with `botAppPassword`) or a user-assigned managed identity. */
  botAppType: BotAppType;
  /** Empty for a managed identity. */
  botAppPassword: string;
  botTenantId: string;
  /**
   * Where inbound Bot Framework tokens' signing keys are published (an OpenID configuration
   * document). Unset: botbuilder's own default, Microsoft's public metadata.
   */
  botOpenIdMetadataUrl?: string;
  /** Empty when `storageAccount` is set. */
  storageConnectionString: string;
  /** Set instead of a connection string: the account's endpoints, reached with `DefaultAzureCredential`. */
  storageAccount?: StorageAccountEndpoints;
  /** `AZURE_CLIENT_ID`: the user-assigned managed identity that `DefaultAzureCredential` signs in as. */
  managedIdentityClientId?: string;
  graphUrl: string;
  approverGroupId: string;
  /** Entra group of compliance officers, who may read every request but act on none; unset: nobody. */
  complianceGroupId?: string;
  erasureApprovals: number;
  /** The Graph user property naming the person behind an approver's account; an erasure's approvals count people by it. */
  approverPersonKey: string;
  /** DSR_ENTRA_SIGNIN_ACTIVITY: whether the export reads `signInActivity` (AuditLog.Read.All, an Entra ID P1/P2 licence). */
  entraSignInActivity: boolean;
  purgeGraceDays: number;
  /**
   * A service's own export (system-generated logs): the shortest wait between two checks, when
   * approvers hear it is late, and the Storage account it is written into when not the bot's own.
   */
  serviceExport: { minPollSeconds: number; warnDaysBeforeDue: number; storageConnectionString?: string };
  exportLinkDays: number;
  defaultRegime: Regime;
  services: ServiceName[];
  digitalTwins: DigitalTwinsConfig;
  iotCentral: IotCentralConfig;
  dps: DpsConfig;
  iotHub: IotHubConfig;
  roleAssignments: RoleAssignmentsConfig;
  callPolicy: CallPolicyConfig;
  /** Throttle budgets per service and operation class (DSR_THROTTLE*, src/config/throttleSettings.ts). */
  throttle: ThrottleSettings;
  /** Reads coalesced across requests (Graph `$batch`, Digital Twins and IoT Hub `IN` queries), IoT Central and DPS listings shared (DSR_COALESCE_WINDOW_MS, DSR_SHARED_LISTING_MS). */
  readSharing: ReadSharingConfig;
  /** Open requests one person may have filed at once. */
  maxOpenRequests: number;
  /** Chat messages one person may send per minute before the bot asks them to slow down. */
  messagesPerMinute: number;
  /** Card actions (invokes) one person may send per minute; counted with messages' in storage, across instances. */
  invokesPerMinute: number;
  dataDir: string;
  jobVisibilitySeconds: number;
  workerConcurrency: number;
  logLevel: string;
  /** Key of the pseudonyms that replace a subject's identity in the bot's own records. */
  pseudonymKey: string;
  /** Months a closed request keeps the subject's personal fields before they are pseudonymised in place. */
  retentionMonths: number;
  /** The key sealing the audit chain and its digests (src/storage/auditKey.ts reads a file). */
  auditKey: AuditKeySource;
  /** DSR_DEFAULT_LOCALE: the language of channel posts, and of people whose Teams and Entra settings name none the bot speaks. */
  defaultLocale: Locale;
  /** DSR_TIME_ZONE: the IANA time zone in which people read dates and times. */
  timeZone: string;
  /** The compliance dashboard tab's sign-in (src/config/tabSettings.ts); unset: the tab API is off. */
  tab?: TabConfig;
}

/** Every problem of the settings at once, each naming the setting and the fix. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`The bot cannot start; fix these settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

