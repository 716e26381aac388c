import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cardRenderBench } from './cardRender';
import { dashboardBench } from './dashboard';
import { digitalTwinsDiscoveryBench } from './digitalTwinsDiscovery';
import { largeExportBench } from './largeExport';
import { loadLatencyBench } from './loadLatency';
import { waveBench } from './wave';

/**
 * `npm run bench`: every benchmark of the project, one after the other (they share two cores),
 * each reporting its figures beside a reference measured in the same run. Prints a table and
 * writes bench/results.json.
 */
const BENCHMARKS: Record<string, () => Promise<Record<string, unknown>>> = {
  cardRender: cardRenderBench,
  dashboard: dashboardBench,
  digitalTwinsDiscovery: digitalTwinsDiscoveryBench,
  largeExport: largeExportBench,
  loadLatency: loadLatencyBench,
  wave: waveBench,
};

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const results: Record<string, unknown> = { ranAt: new Date().toISOString(), node: process.version };
  for (const [name, run] of Object.entries(BENCHMARKS)) {
    if (only.length && !only.includes(name)) continue;
    process.stderr.write(`running ${name}…\n`);
    const result = await run();
    results[name] = result;
    console.log(`\n## ${name}`);
    printTable(result);
  }
  const file = path.resolve(__dirname, '..', '..', 'bench', 'results.json');
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults written to ${path.relative(process.cwd(), file)}`);
}

/** The leaves of a result, one row each, as `path  value`. */
function printTable(result: Record<string, unknown>, prefix = ''): void {
  for (const [key, value] of Object.entries(result)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === 'object' && !Array.isArray(value)) printTable(value as Record<string, unknown>, name);
    else console.log(`${name.padEnd(48)} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
