import { startStatefulSandbox, type HttpsSandboxServer, type SandboxPlacement } from '../common';
import type { Tenant } from '../tenant';
import { requiringApiVersion } from './apiVersion';
import { formatDigitalTwinsError } from './digitalTwinsErrors';
import { seedDigitalTwinsState, tenantSeed, type DigitalTwinsSeed, type DigitalTwinsState } from './digitalTwinsState';
import { queryRoutes } from './queryRoutes';
import { relationshipRoutes } from './relationshipRoutes';
import { twinRoutes } from './twinRoutes';

/** Default port of the Digital Twins sandbox (see DESIGN.md, "The local sandbox, as a contract"). */
export const DIGITAL_TWINS_SANDBOX_DEFAULT_PORT = 4020;

/** The largest request payload Azure Digital Twins takes. */
const MAX_REQUEST_BYTES = 32 * 1024;

/** Where the Digital Twins sandbox keeps its state and where it listens (port 4020 unless told). */
export interface DigitalTwinsSandboxOptions extends SandboxPlacement {
  /** Seeds the state from its `digitalTwins` section when `<dataDir>/sandbox/digitalTwins.json` does not exist yet. */
  tenant: Tenant;
  /** Seeds with these twins and relationships instead of the tenant's (tests and benchmarks with many twins). */
  seed?: DigitalTwinsSeed;
}

/** A running Digital Twins sandbox. */
export interface DigitalTwinsSandbox extends HttpsSandboxServer {}

/**
 * Starts the sandbox Azure Digital Twins data plane (api-versions 2022-05-31 and 2023-10-31):
 * the query API over a subset of the query language, twins (get, JSON Patch, delete) and
 * relationships (list both ways, add, delete), over HTTPS because `@azure/digital-twins-core`
 * sends its bearer token only over HTTPS. State is written only when something changes.
 */
export async function createDigitalTwinsSandbox(options: DigitalTwinsSandboxOptions): Promise<DigitalTwinsSandbox> {
  const { sandbox } = await startStatefulSandbox<DigitalTwinsState>(options, {
    name: 'digitalTwins',
    defaultPort: DIGITAL_TWINS_SANDBOX_DEFAULT_PORT,
    seed: () => seedDigitalTwinsState(options.seed ?? tenantSeed(options.tenant)),
    define: (store) => ({
      authorizationSchemes: ['Bearer'],
      formatError: formatDigitalTwinsError,
      maxBodyBytes: MAX_REQUEST_BYTES,
      routes: requiringApiVersion([...queryRoutes(store), ...twinRoutes(store), ...relationshipRoutes(store)]),
    }),
  });
  return sandbox;
}
