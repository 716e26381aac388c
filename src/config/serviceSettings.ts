import { SERVICE_NAMES, ServiceName } from '../dsr';
import type { Config } from './config';
import { digitalTwinsSettings, dpsSettings, iotCentralSettings, iotHubSettings } from './iotServiceSettings';
import { roleAssignmentSettings } from './roleAssignmentSettings';
import { SANDBOX_PORTS } from './sandboxDefaults';
import { endpointReader, serviceUrlProblem } from './serviceUrls';
import type { SettingReader } from './settingReader';

type ServiceSettings = Pick<Config, 'services' | 'graphUrl' | 'entraSignInActivity' | 'digitalTwins' | 'iotCentral' | 'dps' | 'iotHub' | 'roleAssignments'>;

/** DSR_SERVICES, the services requests reach, and each one's section. */
export function serviceSettings(read: SettingReader, sandbox: boolean): ServiceSettings {
  const { text, problems } = read;
  // systemLogs only when named: every export it joins waits on Microsoft's own export (days in Azure).
  const services = text('DSR_SERVICES', sandbox ? SERVICE_NAMES.filter((s) => s !== 'systemLogs').join(',') : 'entra,botStore')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = services.filter((s) => !(SERVICE_NAMES as readonly string[]).includes(s));
  if (unknown.length) problems.push(`DSR_SERVICES names ${unknown.length === 1 ? 'a service' : `${unknown.length} services`} it does not know. Known: ${SERVICE_NAMES.join(', ')}.`);
  const known = services as ServiceName[];
  const endpoint = endpointReader(read, sandbox, known);

  const digitalTwins = digitalTwinsSettings(read, sandbox, endpoint);
  const iotCentral = iotCentralSettings(read, endpoint);
  const dps = dpsSettings(read, endpoint);
  const iotHub = iotHubSettings(read, sandbox, known.includes('iotHub'));
  const roleAssignments = roleAssignmentSettings(read, sandbox, known.includes('roleAssignments'));

  const graphUrl = text('DSR_GRAPH_URL', sandbox ? `https://127.0.0.1:${SANDBOX_PORTS.graph}` : 'https://graph.microsoft.com');
  const graphUrlProblem = sandbox ? undefined : serviceUrlProblem(graphUrl);
  if (graphUrlProblem) problems.push(`DSR_GRAPH_URL ${graphUrlProblem}: Microsoft Graph, https://graph.microsoft.com unless a national cloud's.`);
  return {
    services: known,
    graphUrl,
    entraSignInActivity: read.onOff('DSR_ENTRA_SIGNIN_ACTIVITY', 'on'),
    digitalTwins,
    iotCentral,
    dps,
    iotHub,
    roleAssignments,
  };
}
