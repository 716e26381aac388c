import {
  JsonStateStore, ensureSandboxCertificate, sandboxStatePath, startSandboxServer, type RunningSandboxServer,
} from '../common';
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

/** Where the Digital Twins sandbox keeps its state and where it listens. */
export interface DigitalTwinsSandboxOptions {
  /** Seeds the state from its `digitalTwins` section when `<dataDir>/sandbox/digitalTwins.json` does not exist yet. */
  tenant: Tenant;
  dataDir: string;
  /** Seeds with these twins and relationships instead of the tenant's (tests and benchmarks with many twins). */
  seed?: DigitalTwinsSeed;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Defaults to 4020; 0 picks a free port. */
  port?: number;
}

/** A running Digital Twins sandbox. */
export interface DigitalTwinsSandbox extends RunningSandboxServer {
  /** The PEM certificate it serves (also at `sandboxCertificatePath(dataDir)`). */
  readonly certificate: string;
}

/**
 * Starts the sandbox Azure Digital Twins data plane (api-versions 2022-05-31 and 2023-10-31):
 * the query API over a subset of the query language, twins (get, JSON Patch, delete) and
 * relationships (list both ways, add, delete), over HTTPS because `@azure/digital-twins-core`
 * sends its bearer token only over HTTPS. State is written only when something changes.
 */
export async function createDigitalTwinsSandbox(options: DigitalTwinsSandboxOptions): Promise<DigitalTwinsSandbox> {
  const store = await JsonStateStore.open<DigitalTwinsState>(
    sandboxStatePath(options.dataDir, 'digitalTwins'),
    () => seedDigitalTwinsState(options.seed ?? tenantSeed(options.tenant)),
  );
  const tls = ensureSandboxCertificate(options.dataDir);
  const server = await startSandboxServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? DIGITAL_TWINS_SANDBOX_DEFAULT_PORT,
    tls,
    authorizationSchemes: ['Bearer'],
    formatError: formatDigitalTwinsError,
    maxBodyBytes: MAX_REQUEST_BYTES,
    routes: requiringApiVersion([...queryRoutes(store), ...twinRoutes(store), ...relationshipRoutes(store)]),
  });
  return { ...server, certificate: tls.cert };
}
