import { spawn } from 'node:child_process';
import path from 'node:path';
import { SANDBOX_PORTS } from '../config';
import { SERVICE_NAMES } from '../dsr';
import { startAzurite, stopChild } from './azurite';
import { ensureSandboxCertificate, sandboxCertificatePath } from './common';
import { RunningPlayground, startPlayground, writePlaygroundConfig } from './playground';
import { sandboxServiceEnv, spawnSandboxServices } from './sandboxServices';
import { loadTenant } from './tenant';

/** Who is signed in to each Playground: an employee on the contract's port, an approver beside it. */
const PLAYGROUND_SEATS = [
  { name: 'Alex Wilber', role: 'employee', port: SANDBOX_PORTS.playground },
  { name: 'Priya Raman', role: 'privacy admin (approver)', port: SANDBOX_PORTS.playground + 1 },
];

async function waitUntilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ready = await fetch(url).then((r) => r.ok, () => false);
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s`);
}

/**
 * `npm start` with no Azure settings: Azurite, the sandbox services seeded from tenant.json,
 * the bot, and the Agents Playground, on the ports of DESIGN.md's sandbox contract. Ctrl-C stops it all.
 */
async function main(): Promise<void> {
  const dataDir = path.resolve(process.env.DSR_DATA_DIR ?? '.data');
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(0)));
  process.once('SIGTERM', () => void stopAll().then(() => process.exit(0)));

  try {
    ensureSandboxCertificate(dataDir);
    const azurite = await startAzurite({ location: path.join(dataDir, 'azurite'), blobPort: SANDBOX_PORTS.azuriteBlob, queuePort: SANDBOX_PORTS.azuriteBlob + 1, tablePort: SANDBOX_PORTS.azuriteBlob + 2 });
    stops.push(azurite.stop);
    const loginPort = process.env.DSR_SANDBOX_LOGIN_PORT ? Number(process.env.DSR_SANDBOX_LOGIN_PORT) : undefined;
    const sandbox = await spawnSandboxServices({ dataDir, ...(loginPort !== undefined ? { ports: { ...SANDBOX_PORTS, login: loginPort } } : {}) });
    stops.push(sandbox.stop);

    const port = Number(process.env.PORT ?? SANDBOX_PORTS.bot);
    const bot = spawn(process.execPath, [path.join(__dirname, '..', 'index.js')], {
      stdio: 'inherit',
      env: {
        ...process.env,
        DSR_SANDBOX: 'on',
        // Every service, the system-generated logs too: their sandbox export takes seconds, not days.
        DSR_SERVICES: process.env.DSR_SERVICES ?? SERVICE_NAMES.join(','),
        DSR_DATA_DIR: dataDir,
        DSR_STORAGE_CONNECTION_STRING: azurite.connectionString,
        ...sandboxServiceEnv(sandbox.urls),
        PORT: String(port),
        // Node reads the sandbox's self-signed certificate only at start.
        NODE_EXTRA_CA_CERTS: sandboxCertificatePath(dataDir),
      },
    });
    stops.push(() => stopChild(bot));
    bot.once('exit', (code) => {
      if (code) {
        console.error(`The bot exited (${code}); stopping the sandbox.`);
        void stopAll().then(() => process.exit(code));
      }
    });
    await waitUntilReady(`http://127.0.0.1:${port}/readyz`, 60_000);

    const playgrounds: { seat: (typeof PLAYGROUND_SEATS)[number]; running: RunningPlayground }[] = [];
    if (process.env.DSR_PLAYGROUND !== 'off') {
      const tenant = loadTenant();
      for (const seat of PLAYGROUND_SEATS) {
        const user = tenant.users.find((u) => u.displayName === seat.name)!;
        const dir = path.join(dataDir, 'playground', user.aadObjectId);
        writePlaygroundConfig(dir, { currentUser: user, otherUsers: tenant.users, tenantId: tenant.tenantId });
        const running = await startPlayground({ dir, port: seat.port, botEndpoint: `http://127.0.0.1:${port}/api/messages` });
        stops.push(running.stop);
        playgrounds.push({ seat, running });
      }
    }

    console.log(
      [
        '',
        'DSR Bot is running on the local sandbox (no Azure).',
        `  Bot              http://127.0.0.1:${port}/api/messages  (health: /healthz, /readyz)`,
        `  Azurite          blob ${SANDBOX_PORTS.azuriteBlob}, queue ${SANDBOX_PORTS.azuriteBlob + 1}, table ${SANDBOX_PORTS.azuriteBlob + 2}`,
        `  Sandbox Graph    ${sandbox.urls.graph}`,
        `  Digital Twins    ${sandbox.urls.digitalTwins}`,
        `  IoT Central      ${sandbox.urls.iotCentral}`,
        `  DPS              ${sandbox.urls.dps}`,
        `  IoT Hub          ${sandbox.urls.iotHub}`,
        `  Azure RM         ${sandbox.urls.arm}`,
        `  Sandbox sign-in  ${sandbox.urls.login}  (the dashboard tab outside Teams: http://127.0.0.1:${port}/tab/)`,
        ...playgrounds.map((p) => `  Playground       ${p.running.url}  signed in as ${p.seat.name}, ${p.seat.role}`),
        '',
        playgrounds.length
          ? 'Open both Playgrounds. As the approver, @mention DSR Bot in "DSR Approvals" with "register approvals" and in General with "register compliance". As the employee, type "export my data" in the chat.'
          : 'Playground off (DSR_PLAYGROUND=off).',
        `State lives in ${dataDir}; delete it for a freshly seeded tenant. Ctrl-C stops everything.`,
        '',
      ].join('\n'),
    );
  } catch (error) {
    console.error('The sandbox failed to start:', error instanceof Error ? error.message : error);
    await stopAll();
    process.exit(1);
  }
}

void main();
