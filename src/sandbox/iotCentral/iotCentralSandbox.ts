import {
  JsonStateStore, ensureSandboxCertificate, sandboxStatePath, startSandboxServer, type RunningSandboxServer,
} from '../common';
import type { Tenant } from '../tenant';
import { requiringApiVersion } from './apiVersion';
import { deviceRoutes } from './deviceRoutes';
import { formatIotCentralError } from './iotCentralErrors';
import { seedIotCentralState, type IotCentralState } from './iotCentralState';
import { roleRoutes } from './roleRoutes';
import { userRoutes } from './userRoutes';

/** Default port of the IoT Central sandbox (see DESIGN.md, "The local sandbox, as a contract"). */
export const IOT_CENTRAL_SANDBOX_DEFAULT_PORT = 4030;

/** Where the IoT Central sandbox keeps its state and where it listens. */
export interface IotCentralSandboxOptions {
  /** Seeds the state when `<dataDir>/sandbox/iotCentral.json` does not exist yet. */
  tenant: Tenant;
  dataDir: string;
  /** Seeds with this state instead of the tenant's section (tests with many users or devices). */
  seed?: IotCentralState;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Defaults to 4030; 0 picks a free port. */
  port?: number;
}

/** A running IoT Central sandbox. */
export interface IotCentralSandbox extends RunningSandboxServer {
  /** The PEM certificate it serves (also at `sandboxCertificatePath(dataDir)`). */
  readonly certificate: string;
}

/**
 * Starts the sandbox IoT Central application REST API (api-version 2022-07-31, basePath `/api`:
 * users, roles, devices) over HTTPS, taking a bearer token or an API token
 * (`SharedAccessSignature ...`). Alert rules have no API and are not served.
 */
export async function createIotCentralSandbox(options: IotCentralSandboxOptions): Promise<IotCentralSandbox> {
  const store = await JsonStateStore.open<IotCentralState>(
    sandboxStatePath(options.dataDir, 'iotCentral'),
    () => options.seed ? structuredClone(options.seed) : seedIotCentralState(options.tenant),
  );
  const tls = ensureSandboxCertificate(options.dataDir);
  const server = await startSandboxServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? IOT_CENTRAL_SANDBOX_DEFAULT_PORT,
    tls,
    authorizationSchemes: ['Bearer', 'SharedAccessSignature'],
    formatError: formatIotCentralError,
    routes: requiringApiVersion([...userRoutes(store), ...roleRoutes(store), ...deviceRoutes(store)]),
  });
  return { ...server, certificate: tls.cert };
}
