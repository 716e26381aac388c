import { startStatefulSandbox, type HttpsSandboxServer, type SandboxPlacement } from '../common';
import type { Tenant } from '../tenant';
import { requiringApiVersion } from './apiVersion';
import { deviceRoutes } from './deviceRoutes';
import { formatIotCentralError } from './iotCentralErrors';
import { seedIotCentralState, type IotCentralState } from './iotCentralState';
import { roleRoutes } from './roleRoutes';
import { userRoutes } from './userRoutes';

/** Default port of the IoT Central sandbox (see DESIGN.md, "The local sandbox, as a contract"). */
export const IOT_CENTRAL_SANDBOX_DEFAULT_PORT = 4030;

/** Where the IoT Central sandbox keeps its state and where it listens (port 4030 unless told). */
export interface IotCentralSandboxOptions extends SandboxPlacement {
  /** Seeds the state when `<dataDir>/sandbox/iotCentral.json` does not exist yet. */
  tenant: Tenant;
  /** Seeds with this state instead of the tenant's section (tests with many users or devices). */
  seed?: IotCentralState;
}

/** A running IoT Central sandbox. */
export interface IotCentralSandbox extends HttpsSandboxServer {}

/**
 * Starts the sandbox IoT Central application REST API (api-version 2022-07-31, basePath `/api`:
 * users, roles, devices) over HTTPS, taking a bearer token or an API token
 * (`SharedAccessSignature ...`). Alert rules have no API and are not served.
 */
export async function createIotCentralSandbox(options: IotCentralSandboxOptions): Promise<IotCentralSandbox> {
  const { sandbox } = await startStatefulSandbox<IotCentralState>(options, {
    name: 'iotCentral',
    defaultPort: IOT_CENTRAL_SANDBOX_DEFAULT_PORT,
    seed: () => options.seed ? structuredClone(options.seed) : seedIotCentralState(options.tenant),
    define: (store) => ({
      authorizationSchemes: ['Bearer', 'SharedAccessSignature'],
      formatError: formatIotCentralError,
      routes: requiringApiVersion([...userRoutes(store), ...roleRoutes(store), ...deviceRoutes(store)]),
    }),
  });
  return sandbox;
}
