import { startStatefulSandbox, type HttpsSandboxServer, type SandboxPlacement } from '../common';
import type { Tenant } from '../tenant';
import { deviceRoutes } from './deviceRoutes';
import { formatIotHubError } from './iotHubErrors';
import { seedIotHubState, tenantIotHubSeed, type IotHubSeed, type IotHubState } from './iotHubState';
import { queryRoutes } from './queryRoutes';
import { twinRoutes } from './twinRoutes';

/** Default port of the IoT Hub sandbox (see DESIGN.md, "The local sandbox, as a contract"). */
export const IOT_HUB_SANDBOX_DEFAULT_PORT = 4050;

/** Where the IoT Hub sandbox keeps its state and where it listens (port 4050 unless told). */
export interface IotHubSandboxOptions extends SandboxPlacement {
  /** Seeds the state from its `iotHub` section when `<dataDir>/sandbox/iotHub.json` does not exist yet. */
  tenant: Tenant;
  /** Seeds from this instead of the tenant's `iotHub` section (tests that need many devices). */
  seed?: IotHubSeed;
}

/** A running IoT Hub sandbox. */
export interface IotHubSandbox extends HttpsSandboxServer {
  /** The `host:port` to connect to, as azure-iothub takes a host (`127.0.0.1:4050`). */
  readonly endpoint: string;
  /** The hub's own host name, as DPS names it in `assignedHub`. */
  readonly hostName: string;
}

/**
 * Starts the sandbox IoT Hub service API over HTTPS: the identity registry
 * (`/devices/{id}`), device twins (`/twins/{id}`) and the twin query (`/devices/query`),
 * with IoT Hub's api-versions, etags, paging and error bodies. It takes a bearer token or a
 * `SharedAccessSignature`, as IoT Hub does, and checks only that one is sent.
 */
export async function createIotHubSandbox(options: IotHubSandboxOptions): Promise<IotHubSandbox> {
  const seed = options.seed ?? tenantIotHubSeed(options.tenant);
  const { sandbox, store } = await startStatefulSandbox<IotHubState>(options, {
    name: 'iotHub',
    defaultPort: IOT_HUB_SANDBOX_DEFAULT_PORT,
    seed: () => seedIotHubState(seed),
    define: (current) => ({
      authorizationSchemes: ['Bearer', 'SharedAccessSignature'],
      formatError: formatIotHubError,
      routes: [...queryRoutes(current), ...deviceRoutes(current), ...twinRoutes(current)],
    }),
  });
  return { ...sandbox, endpoint: new URL(sandbox.url).host, hostName: store.current.hostName };
}
