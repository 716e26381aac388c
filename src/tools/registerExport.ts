import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config';
import { Clock, RecordsStore, RegisterRow, systemClock } from '../dsr';
import { Locale } from '../i18n';
import { loadTenant } from '../sandbox/tenant';
import { registerFiles } from '../storage/registerFiles';
import { createStorageClients } from '../storage/storageClients';
import { TableRequestStore } from '../storage/tableRequestStore';

/**
 * `npm run register:export [-- --out DIR]`: the DSR register (src/dsr/model/complianceRegister.ts) of the Storage
 * account the settings name, as CSV (column titles in DSR_DEFAULT_LOCALE) and JSON files in DIR
 * (default DSR_DATA_DIR/register). Subjects appear by request id and pseudonym only (keyed by DSR_PSEUDONYM_KEY), approvers by name.
 */

export async function exportRegister(store: Pick<RecordsStore, 'listAll'>, options: { outDir: string; pseudonymKey: string; clock: Clock; locale: Locale }): Promise<{ csvPath: string; jsonPath: string; rows: RegisterRow[] }> {
  const files = await registerFiles(store, options);
  mkdirSync(options.outDir, { recursive: true });
  const base = path.join(options.outDir, files.baseName);
  writeFileSync(`${base}.csv`, files.csv);
  writeFileSync(`${base}.json`, files.json);
  return { csvPath: `${base}.csv`, jsonPath: `${base}.json`, rows: files.rows };
}

/** `--out DIR` from the command line, if given. */
export function outDirArgument(args: readonly string[]): string | undefined {
  const at = args.indexOf('--out');
  return at >= 0 ? args[at + 1] : args.find((a) => a.startsWith('--out='))?.slice('--out='.length);
}

async function main(): Promise<void> {
  const config = loadConfig(process.env, loadTenant().approverGroup.id);
  const clients = createStorageClients(config);
  const outDir = path.resolve(outDirArgument(process.argv.slice(2)) ?? path.join(config.dataDir, 'register'));
  const { csvPath, jsonPath, rows } = await exportRegister(new TableRequestStore(clients.requests, clients.counters), { outDir, pseudonymKey: config.pseudonymKey, clock: systemClock, locale: config.defaultLocale });
  console.log(`register:export: ${rows.length} request${rows.length === 1 ? '' : 's'} written to\n  ${csvPath}\n  ${jsonPath}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `register:export failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  });
}
