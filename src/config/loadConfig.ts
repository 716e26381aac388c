import { approvalSettings } from './approvalSettings';
import { auditKeySettings } from './auditKeySettings';
import { botFrameworkSettings } from './botFrameworkSettings';
import { callPolicySettings } from './callPolicySettings';
import { ConfigError, type Config } from './config';
import { exportSettings } from './exportSettings';
import { intakeSettings } from './intakeSettings';
import { languageSettings } from './languageSettings';
import { processSettings } from './processSettings';
import { retentionSettings } from './retentionSettings';
import { serviceSettings } from './serviceSettings';
import { settingReader } from './settingReader';
import { storageSettings } from './storageSettings';
import { tabSettings } from './tabSettings';

/**
 * Every setting from the environment, validated once. Errors name the setting and the fix.
 * In sandbox mode (no MicrosoftAppId) every Azure endpoint defaults to its local stand-in.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, approverGroupFallback = '', complianceGroupFallback = ''): Config {
  const problems: string[] = [];
  const read = settingReader(env, problems);
  const bot = botFrameworkSettings(read);
  const { sandbox } = bot;
  const storage = storageSettings(read, sandbox);
  const services = serviceSettings(read, sandbox);
  const local = processSettings(read);
  const config: Config = {
    ...bot,
    ...storage,
    ...approvalSettings(read, sandbox, approverGroupFallback, complianceGroupFallback),
    ...retentionSettings(read, sandbox),
    ...intakeSettings(read),
    ...services,
    ...exportSettings(read, sandbox, storage.storageAccount, services.services),
    ...callPolicySettings(read, sandbox),
    ...local,
    auditKey: auditKeySettings(read, sandbox, local.dataDir),
    ...languageSettings(read),
  };
  const tab = tabSettings(read, bot);
  if (tab) config.tab = tab;
  if (problems.length) throw new ConfigError(problems);
  return config;
}
