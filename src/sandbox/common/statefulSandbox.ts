import { JsonStateStore, sandboxStatePath } from './jsonStateStore';
import { ensureSandboxCertificate } from './sandboxCertificate';
import { startSandboxServer, type RunningSandboxServer } from './sandboxServer';
import type { SandboxServiceDefinition } from './sandboxService';
import { throttleProfileFor } from './throttleLimiter';

/** Where a sandbox service keeps its state and where it listens. */
export interface SandboxPlacement {
  /** State in `<dataDir>/sandbox/<service>.json`, the shared certificate in `<dataDir>/sandbox/tls/`. */
  dataDir: string;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Defaults to the service's own port; 0 picks a free port. */
  port?: number;
}

/** A running sandbox service served over HTTPS. */
export interface HttpsSandboxServer extends RunningSandboxServer {
  /**
   * The PEM certificate it serves (also at `sandboxCertificatePath(dataDir)`),
   * for clients that cannot be started with `NODE_EXTRA_CA_CERTS`.
   */
  readonly certificate: string;
}

/** One sandbox service whose state lives in a {@link JsonStateStore}. */
export interface StatefulSandboxService<T> {
  /** The state file's name under `<dataDir>/sandbox/`, e.g. `graph`. */
  name: string;
  /** The port when the placement names none. */
  defaultPort: number;
  /** The first state, when the state file does not exist yet. */
  seed: () => T;
  /** The service's routes, error shape and accepted Authorization schemes, over its store. */
  define: (store: JsonStateStore<T>) => SandboxServiceDefinition;
}

/**
 * Opens the service's state (seeding it when absent), makes sure of the shared sandbox
 * certificate and serves the service over HTTPS.
 * @returns the running server with its certificate, and the store (for what a factory adds).
 */
export async function startStatefulSandbox<T>(
  placement: SandboxPlacement,
  service: StatefulSandboxService<T>,
): Promise<{ sandbox: HttpsSandboxServer; store: JsonStateStore<T> }> {
  const store = await JsonStateStore.open<T>(sandboxStatePath(placement.dataDir, service.name), service.seed);
  const tls = ensureSandboxCertificate(placement.dataDir);
  const server = await startSandboxServer({
    ...service.define(store),
    // The service's documented limits and operation classes, enforced once `POST /_sandbox/throttle` turns them on.
    throttleProfile: throttleProfileFor(service.name),
    host: placement.host ?? '127.0.0.1',
    port: placement.port ?? service.defaultPort,
    tls,
  });
  return { sandbox: { ...server, certificate: tls.cert }, store };
}
