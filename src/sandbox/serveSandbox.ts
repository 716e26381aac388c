import { startSandboxServices } from './sandboxServices';

/** Child-process entry: starts the sandbox services, prints their URLs as one JSON line, stops on SIGTERM. */
async function main(): Promise<void> {
  const services = await startSandboxServices(JSON.parse(process.argv[2] ?? '{}'));
  process.stdout.write(`${JSON.stringify(services.urls)}\n`);
  const stop = () => void services.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error) => {
  console.error('The sandbox services failed to start:', error);
  process.exit(1);
});
