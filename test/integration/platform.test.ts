import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SANDBOX_PORTS } from '../../src/config';
import { freshDataDir } from '../support/dataDir';
import { waitFor } from '../support/waitFor';

/**
 * The platform: every npm script runs on the Node 22 the project pins (the `node` dev dependency,
 * first on the scripts' PATH), and `npm start` starts without a deprecation or experimental
 * warning from Node, from any of its processes.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const packageJson = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};

/** `major.minor` of a version such as `22.12.0` or `v22.23.3`, to compare. */
function majorMinor(version: string): [number, number] {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return [major, minor];
}

/** A Node warning as Node prints it: `(node:1234) [DEP0111] DeprecationWarning: …`. */
const NODE_WARNING = /\(node:\d+\) (\[\w+\] )?\w*Warning/;

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('the platform', () => {
  it('runs the scripts on the pinned Node 22, which satisfies the declared engines', () => {
    const [wantMajor, wantMinor] = majorMinor(packageJson.engines.node.replace(/^>=/, ''));
    const [major, minor] = majorMinor(process.versions.node);
    expect(wantMajor).toBe(22);
    expect(major > wantMajor || (major === wantMajor && minor >= wantMinor)).toBe(true);
    expect(process.versions.node).toBe(packageJson.devDependencies.node);
  });

  it('detects a Node warning line in the form Node prints it', () => {
    expect(NODE_WARNING.test("(node:2655) [DEP0111] DeprecationWarning: Access to process.binding('http_parser') is deprecated.")).toBe(true);
    expect(NODE_WARNING.test('(node:12) ExperimentalWarning: CommonJS module loading ES Module')).toBe(true);
    expect(NODE_WARNING.test('{"level":30,"msg":"DSR Bot listening"}')).toBe(false);
  });

  describe('npm start', () => {
    let child: ChildProcess | undefined;
    afterEach(async () => {
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child!.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    });

    it('starts Azurite, the sandbox services and the bot without any Node warning', async () => {
      // `npm start` serves the sandbox contract's fixed ports: refuse clearly when something else holds them.
      const ports = [SANDBOX_PORTS.bot, SANDBOX_PORTS.azuriteBlob, SANDBOX_PORTS.azuriteBlob + 1, SANDBOX_PORTS.azuriteBlob + 2, SANDBOX_PORTS.graph];
      const taken = [];
      for (const port of ports) if (!(await portIsFree(port))) taken.push(port);
      expect(taken).toEqual([]);

      const env: NodeJS.ProcessEnv = { ...process.env, DSR_DATA_DIR: freshDataDir('platform'), DSR_PLAYGROUND: 'off' };
      delete env.NODE_EXTRA_CA_CERTS; // as a person's shell has it: launch sets it for the bot itself
      const output: string[] = [];
      child = spawn(process.execPath, [path.join(ROOT, 'dist/src/sandbox/launch.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));

      await waitFor('npm start to say the sandbox is running', () => (output.join('').includes('DSR Bot is running on the local sandbox') ? true : undefined), 60_000);
      const ready = await fetch(`http://127.0.0.1:${SANDBOX_PORTS.bot}/readyz`);
      expect(ready.status).toBe(200);

      const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const warnings = output.join('').split('\n').filter((line) => NODE_WARNING.test(line));
      expect(warnings).toEqual([]);
    }, 90_000);
  });
});
