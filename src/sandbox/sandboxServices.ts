import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { SANDBOX_PORTS } from '../config';
import { createArmSandbox } from './arm';
import { stopChild } from './azurite';
import { createDigitalTwinsSandbox } from './digitalTwins';
import { createDpsSandbox } from './dps';
import { createGraphSandbox } from './graph';
import { createIotCentralSandbox } from './iotCentral';
import { createIotHubSandbox } from './iotHub';
import { createLoginSandbox } from './login';
import { loadTenant, Tenant } from './tenant';

/** Where each sandbox service listens. */
export interface SandboxUrls {
  graph: string;
  digitalTwins: string;
  iotCentral: string;
  dps: string;
  iotHub: string;
  /** Azure Resource Manager (role assignments). */
  arm: string;
  /** The Entra sign-in stand-in that issues the dashboard tab's tokens outside Teams. */
  login: string;
}

export interface SandboxServicesOptions {
  dataDir: string;
  /**
   * 0 picks free ports (tests); by default the ports of the sandbox contract. A map that leaves a
   * service out gives it a free port, so callers written before a service existed never clash on its port.
   */
  ports?: Partial<Record<keyof SandboxUrls, number>>;
}

type Factory = (options: { tenant: Tenant; dataDir: string; port: number }) => Promise<{ url: string; close(): Promise<void> }>;

const FACTORIES: Record<keyof SandboxUrls, Factory> = {
  graph: createGraphSandbox,
  digitalTwins: createDigitalTwinsSandbox,
  iotCentral: createIotCentralSandbox,
  dps: createDpsSandbox,
  iotHub: createIotHubSandbox,
  arm: createArmSandbox,
  login: createLoginSandbox,
};

/** Starts every sandbox service in this process, seeded from tenant.json. */
export async function startSandboxServices(options: SandboxServicesOptions): Promise<{ urls: SandboxUrls; close(): Promise<void> }> {
  const tenant = loadTenant();
  const names = Object.keys(FACTORIES) as (keyof SandboxUrls)[];
  const running = await Promise.all(
    names.map((name) => FACTORIES[name]({ tenant, dataDir: options.dataDir, port: options.ports ? options.ports[name] ?? 0 : SANDBOX_PORTS[name] })),
  );
  return {
    urls: Object.fromEntries(names.map((name, i) => [name, running[i].url])) as unknown as SandboxUrls,
    close: async () => {
      await Promise.all(running.map((service) => service.close()));
    },
  };
}

/** The bot's settings that point it at running sandbox services. */
export function sandboxServiceEnv(urls: SandboxUrls): Record<string, string> {
  return {
    DSR_GRAPH_URL: urls.graph,
    DSR_DIGITAL_TWINS_URL: urls.digitalTwins,
    DSR_IOT_CENTRAL_URL: urls.iotCentral,
    DSR_DPS_URL: urls.dps,
    // azure-iothub takes a host (with port) and always speaks HTTPS to it.
    DSR_IOT_HUB_ENDPOINT: new URL(urls.iotHub).host,
    DSR_ARM_URL: urls.arm,
    DSR_SANDBOX_LOGIN_URL: urls.login,
  };
}

/** Runs the sandbox services in a process of their own, as the Azure services are to the bot. */
export async function spawnSandboxServices(
  options: SandboxServicesOptions,
  /** The compiled entry; tests running from TypeScript point at dist/. */
  script = path.join(__dirname, 'serveSandbox.js'),
): Promise<{ urls: SandboxUrls; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [script, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const urls = await new Promise<SandboxUrls>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line) as SandboxUrls));
    child.once('exit', (code) => reject(new Error(`The sandbox services exited (${code}) before they were ready.`)));
  });
  return { urls, child, stop: () => stopChild(child) };
}
