import {
  JsonStateStore, ensureSandboxCertificate, sandboxStatePath, startSandboxServer, type RunningSandboxServer,
} from '../common';
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

/** Where the DPS sandbox keeps its state, what it holds and where it listens. */
export interface DpsSandboxOptions {
  /** Its `dps` section seeds the state when `<dataDir>/sandbox/dps.json` does not exist yet. */
  tenant: Tenant;
  dataDir: string;
  /** Seeds from this instead of the tenant's `dps` section (tests: thousands of enrollments). */
  seed?: DpsSeed;
  /** A complete state to start from instead of any seed, when the state file does not exist yet. */
  state?: DpsState;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Defaults to 4040; 0 picks a free port. */
  port?: number;
}

/** A running DPS sandbox. */
export interface DpsSandbox extends RunningSandboxServer {
  /** The PEM certificate it serves (also at `sandboxCertificatePath(dataDir)`). */
  readonly certificate: string;
}

/**
 * Starts the sandbox IoT Hub Device Provisioning Service (service API, api-version
 * 2021-10-01) over HTTPS: individual enrollments, registration records and enrollment groups,
 * with their queries paged by `x-ms-continuation`. It takes a bearer token or a
 * `SharedAccessSignature`, as DPS does.
 */
export async function createDpsSandbox(options: DpsSandboxOptions): Promise<DpsSandbox> {
  const store = await JsonStateStore.open<DpsState>(
    sandboxStatePath(options.dataDir, 'dps'),
    () => options.state ?? seedDpsState(options.seed ?? options.tenant.dps),
  );
  const tls = ensureSandboxCertificate(options.dataDir);
  const server = await startSandboxServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? DPS_SANDBOX_DEFAULT_PORT,
    tls,
    authorizationSchemes: ['Bearer', 'SharedAccessSignature'],
    formatError: formatDpsError,
    routes: requiringApiVersion([...enrollmentRoutes(store), ...registrationRoutes(store), ...enrollmentGroupRoutes(store)]),
  });
  return { ...server, certificate: tls.cert };
}
