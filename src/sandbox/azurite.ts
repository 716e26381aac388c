import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { azuriteConnectionString } from '../config';

export interface AzuriteOptions {
  /** Where Azurite keeps its data: requests, jobs and exports survive a restart. */
  location: string;
  host?: string;
  /** 0 picks free ports (tests); the sandbox contract uses 10000, 10001, 10002. */
  blobPort?: number;
  queuePort?: number;
  tablePort?: number;
}

export interface RunningAzurite {
  connectionString: string;
  stop(): Promise<void>;
}

const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/[^:]+:(\d+)/g;

/** Starts the Storage emulator from the project's own node_modules, on loopback, without telemetry. */
export async function startAzurite(options: AzuriteOptions): Promise<RunningAzurite> {
  const host = options.host ?? '127.0.0.1';
  mkdirSync(options.location, { recursive: true });
  const binary = path.join(path.dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'azurite.js');
  const child = spawn(
    process.execPath,
    [
      binary,
      ...['--blobHost', host, '--queueHost', host, '--tableHost', host],
      ...['--blobPort', String(options.blobPort ?? 0), '--queuePort', String(options.queuePort ?? 0), '--tablePort', String(options.tablePort ?? 0)],
      '--disableTelemetry',
      // Without it, SDK releases newer than this Azurite get 400 InvalidHeaderValue.
      '--skipApiVersionCheck',
      '--location',
      options.location,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const ports = await new Promise<Record<string, number>>((resolve, reject) => {
    const found: Record<string, number> = {};
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      for (const match of output.matchAll(LISTENING)) found[match[1]] = Number(match[2]);
      if (found.Blob && found.Queue && found.Table) resolve(found);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`Azurite exited (${code}) before listening:\n${output.slice(-2000)}`)));
  });
  return {
    connectionString: azuriteConnectionString(host, ports.Blob, ports.Queue, ports.Table),
    stop: () => stopChild(child),
  };
}

/** Ends a child process and waits for it. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
