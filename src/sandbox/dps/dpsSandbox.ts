import { startStatefulSandbox, type HttpsSandboxServer, type SandboxPlacement } from '../common';
import type { Tenant } from '../tenant';
import { requiringApiVersion } from './apiVersion';
import { formatDpsError } from './dpsErrors';
import type { DpsState } from './dpsModel';
import { seedDpsState, type DpsSeed } from './dpsSeed';
import { enrollmentGroupRoutes } from './enrollmentGroupRoutes';
import { enrollmentRoutes } from './enrollmentRoutes';
import { registrationRoutes } from './registrationRoutes';

/** Default port of the DPS sandbox (see DESIGN.md, "The local sandbox, as a contract"). */
export const DPS_SANDBOX_DEFAULT_PORT = 4040;

/** Where the DPS sandbox keeps its state, what it holds and where it listens (port 4040 unless told). */
export interface DpsSandboxOptions extends SandboxPlacement {
  /** Its `dps` section seeds the state when `<dataDir>/sandbox/dps.json` does not exist yet. */
  tenant: Tenant;
  /** Seeds from this instead of the tenant's `dps` section (tests: thousands of enrollments). */
  seed?: DpsSeed;
  /** A complete state to start from instead of any seed, when the state file does not exist yet. */
  state?: DpsState;
}

/** A running DPS sandbox. */
export interface DpsSandbox extends HttpsSandboxServer {}

/**
 * Starts the sandbox IoT Hub Device Provisioning Service (service API, api-version
 * 2021-10-01) over HTTPS: individual enrollments, registration records and enrollment groups,
 * with their queries paged by `x-ms-continuation`. It takes a bearer token or a
 * `SharedAccessSignature`, as DPS does.
 */
export async function createDpsSandbox(options: DpsSandboxOptions): Promise<DpsSandbox> {
  const { sandbox } = await startStatefulSandbox<DpsState>(options, {
    name: 'dps',
    defaultPort: DPS_SANDBOX_DEFAULT_PORT,
    seed: () => options.state ?? seedDpsState(options.seed ?? options.tenant.dps),
    define: (store) => ({
      authorizationSchemes: ['Bearer', 'SharedAccessSignature'],
      formatError: formatDpsError,
      routes: requiringApiVersion([...enrollmentRoutes(store), ...registrationRoutes(store), ...enrollmentGroupRoutes(store)]),
    }),
  });
  return sandbox;
}
