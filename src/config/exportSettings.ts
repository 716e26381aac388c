import type { Config } from './config';
import { PLAIN_HTTP_STORAGE, type StorageAccountEndpoints } from './storageSettings';
import type { SettingReader } from './settingReader';

/** How long a user-delegation SAS can live: Azure issues its key for at most seven days. */
export const USER_DELEGATION_MAX_DAYS = 7;

/**
 * How long export links live, and how a service's own export (system-generated logs) is
 * followed; checked against how Storage is reached (`storageAccount`: with the managed identity).
 */
export function exportSettings(
  read: SettingReader, sandbox: boolean, storageAccount: StorageAccountEndpoints | undefined, services: Config['services'],
): Pick<Config, 'exportLinkDays' | 'serviceExport'> {
  const { problems } = read;
  // Graph writes system-generated logs for up to 30 days, from outside any network rule: with the
  // managed identity the bot's own account can only sign 7-day SAS, so the logs need an account of their own.
  const serviceExportStorage = read.text('DSR_SERVICE_EXPORT_STORAGE_CONNECTION_STRING', '');
  if (!sandbox && PLAIN_HTTP_STORAGE.test(serviceExportStorage)) {
    problems.push('DSR_SERVICE_EXPORT_STORAGE_CONNECTION_STRING names plain http endpoints: outside sandbox mode Storage is reached over https only (DefaultEndpointsProtocol=https).');
  }
  const exportLinkDays = read.whole('DSR_EXPORT_LINK_DAYS', 7, 1, 30);
  if (storageAccount && exportLinkDays > USER_DELEGATION_MAX_DAYS) {
    problems.push(`DSR_EXPORT_LINK_DAYS is more than ${USER_DELEGATION_MAX_DAYS}, but export links signed by the managed identity (user-delegation SAS, used with DSR_STORAGE_*_URL) live at most ${USER_DELEGATION_MAX_DAYS} days: set it to ${USER_DELEGATION_MAX_DAYS} or less.`);
  }
  if (storageAccount && services.includes('systemLogs') && !serviceExportStorage) {
    problems.push(`DSR_SERVICE_EXPORT_STORAGE_CONNECTION_STRING is required when DSR_SERVICES includes systemLogs and Storage is reached with the managed identity: Graph's export of system-generated logs runs for up to 30 days, a SAS signed by the managed identity lives at most ${USER_DELEGATION_MAX_DAYS}, and Graph writes from outside the account's network rules. Name an account of its own for these exports (infra/azure.bicep makes one with systemLogs=true).`);
  }
  return {
    exportLinkDays,
    // A few checks a day once Graph's export runs (it takes days); seconds in the sandbox, whose export takes seconds.
    // Approvers hear of a late export before the 7-day deadline reminder.
    serviceExport: {
      minPollSeconds: read.whole('DSR_SERVICE_EXPORT_POLL_SECONDS', sandbox ? 1 : 6 * 60 * 60, 1, 24 * 60 * 60),
      warnDaysBeforeDue: read.whole('DSR_SERVICE_EXPORT_WARN_DAYS', 10, 8, 30),
      ...(serviceExportStorage ? { storageConnectionString: serviceExportStorage } : {}),
    },
  };
}
