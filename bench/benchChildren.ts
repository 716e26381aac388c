import { spawn, type ChildProcess } from 'node:child_process';
import https from 'node:https';
import { createInterface } from 'node:readline';

/** A benchmark part running in a process of its own, so its memory and CPU are measured alone. */
export interface BenchChild {
  child: ChildProcess;
  /** The first line it printed: how it says it is ready, and what it measured. */
  line: string;
  exited: Promise<void>;
}

/** Starts `script` (a benchmark file, which reads its role from `args`) and waits for its first line. */
export async function startBenchChild(script: string, args: string[], env: Record<string, string> = {}): Promise<BenchChild> {
  const child = spawn(process.execPath, [...process.execArgv, script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`The benchmark child (${args[0]}) exited (${code}) before answering.`)));
  });
  return { child, line, exited };
}

/** A request to a sandbox service (its control endpoints, or a warm-up query), trusting its certificate. */
export function sandboxRequest(url: string, ca: string, method: string, pathname: string, body?: unknown): Promise<string> {
  const headers = body === undefined ? {} : { Authorization: 'Bearer bench', 'Content-Type': 'application/json' };
  return new Promise((resolve, reject) => {
    const request = https.request(new URL(pathname, url), { method, ca, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
