import {
  JsonStateStore, ensureSandboxCertificate, sandboxStatePath, startSandboxServer, type RunningSandboxServer,
} from '../common';
import type { Tenant } from '../tenant';
import { deviceRoutes } from './deviceRoutes';
import { formatIotHubError } from './iotHubErrors';
import { seedIotHubState, tenantIotHubSeed, type IotHubSeed, type IotHubState } from './iotHubState';
import { queryRoutes } from './queryRoutes';
import { twinRoutes } from './twinRoutes';

/** Default port of the IoT Hub sandbox (see DESIGN.md, "The local sandbox, as a contract"). */
export const IOT_HUB_SANDBOX_DEFAULT_PORT = 4050;

/** Where the IoT Hub sandbox keeps its state and where it listens. */
export interface IotHubSandboxOptions {
  /** Seeds the state from its `iotHub` section when `<dataDir>/sandbox/iotHub.json` does not exist yet. */
  tenant: Tenant;
  dataDir: string;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Defaults to 4050; 0 picks a free port. */
  port?: number;
  /** Seeds from this instead of the tenant's `iotHub` section (tests that need many devices). */
  seed?: IotHubSeed;
}

/** A running IoT Hub sandbox. */
export interface IotHubSandbox extends RunningSandboxServer {
  /** The PEM certificate it serves (also at `sandboxCertificatePath(dataDir)`). */
  readonly certificate: string;
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
  const store = await JsonStateStore.open<IotHubState>(
    sandboxStatePath(options.dataDir, 'iotHub'),
    () => seedIotHubState(seed),
  );
  const tls = ensureSandboxCertificate(options.dataDir);
  const server = await startSandboxServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? IOT_HUB_SANDBOX_DEFAULT_PORT,
    tls,
    authorizationSchemes: ['Bearer', 'SharedAccessSignature'],
    formatError: formatIotHubError,
    routes: [...queryRoutes(store), ...deviceRoutes(store), ...twinRoutes(store)],
  });
  return {
    ...server,
    certificate: tls.cert,
    endpoint: new URL(server.url).host,
    hostName: store.current.hostName,
  };
}
