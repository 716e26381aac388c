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
      // No access log: it is never read, and a busy bot makes it grow without end.
      '--silent',
      // Without it, SDK releases newer than this Azurite get 400 InvalidHeaderValue.
      '--skipApiVersionCheck',
      '--location',
      options.location,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const ports = await new Promise<Record<string, number>>((resolve, reject) => {
    const found: Record<string, number> = {};
    // Only the start-up lines matter: a bounded tail is kept for the error message, and the
    // listeners go once Azurite listens (the pipes are then drained and dropped).
    let output = '';
    const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-8000); };
    const onStdout = (chunk: Buffer) => {
      keep(chunk);
      for (const match of output.matchAll(LISTENING)) found[match[1]] = Number(match[2]);
      if (found.Blob && found.Queue && found.Table) {
        child.stdout!.off('data', onStdout).resume();
        child.stderr!.off('data', keep).resume();
        resolve(found);
      }
    };
    child.stdout!.on('data', onStdout);
    child.stderr!.on('data', keep);
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
