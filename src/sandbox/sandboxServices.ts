import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { SANDBOX_PORTS } from '../config';
import { stopChild } from './azurite';
import { createGraphSandbox } from './graph';
import { loadTenant } from './tenant';

/** Where each sandbox service listens. */
export interface SandboxUrls {
  graph: string;
}

export interface SandboxServicesOptions {
  dataDir: string;
  /** 0 picks free ports (tests); by default the ports of the sandbox contract. */
  ports?: Partial<Record<keyof SandboxUrls, number>>;
}

/** Starts every sandbox service in this process, seeded from tenant.json. */
export async function startSandboxServices(options: SandboxServicesOptions): Promise<{ urls: SandboxUrls; close(): Promise<void> }> {
  const tenant = loadTenant();
  const graph = await createGraphSandbox({ tenant, dataDir: options.dataDir, port: options.ports?.graph ?? SANDBOX_PORTS.graph });
  return {
    urls: { graph: graph.url },
    close: async () => {
      await graph.close();
    },
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
