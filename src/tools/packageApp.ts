import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AppManifestUtils } from '@microsoft/app-manifest';
import archiver from 'archiver';

/**
 * `npm run package`: the Teams app package (manifest.json with its `${{NAME}}` placeholders filled,
 * and both icons) as one zip to sideload or upload, as Agents Toolkit's teamsApp/zipAppPackage
 * builds it. Values come from `env/.env.<name>` (`env/.env.sandbox`, fixed ids that name no real app, by default), then from the
 * environment, which wins. The manifest is validated offline against the schema
 * @microsoft/app-manifest bundles before anything is written.
 */

const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The placeholder names in `text`, each once, in order of appearance. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/** `text` with every `${{NAME}}` replaced by its value; throws naming every placeholder that has none. */
export function fillPlaceholders(text: string, values: Record<string, string | undefined>, where = 'the manifest'): string {
  const missing = placeholdersIn(text).filter((name) => !values[name]);
  if (missing.length) {
    throw new Error(
      `${where} needs ${missing.join(', ')}, which have no value. Set them in env/.env.<env> (Agents Toolkit writes them when it provisions) or in the environment, e.g. ${missing[0]}=... npm run package.`,
    );
  }
  return text.replace(PLACEHOLDER, (_, name: string) => values[name]!);
}

/** KEY=VALUE lines of an Agents Toolkit env file; `#` comments and blank lines skipped, surrounding quotes removed. */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match || line.trimStart().startsWith('#')) continue;
    values[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return values;
}

/** The copy of a Teams manifest schema that @microsoft/app-manifest ships, for the `$schema` URL given. */
export function bundledSchemaPath(schemaUrl: string): string {
  const version = /\/json-schemas\/teams\/(v[\d.]+|vDevPreview)\/MicrosoftTeams\.schema\.json$/.exec(schemaUrl)?.[1];
  if (!version) throw new Error(`$schema '${schemaUrl}' is not a Teams manifest schema URL (https://developer.microsoft.com/json-schemas/teams/v1.NN/MicrosoftTeams.schema.json).`);
  const root = path.dirname(require.resolve('@microsoft/app-manifest/package.json'));
  const file = path.join(root, 'build', 'json-schemas', 'teams', version, 'MicrosoftTeams.schema.json');
  if (!existsSync(file)) throw new Error(`@microsoft/app-manifest does not bundle the Teams manifest schema ${version}; use one it ships (build/json-schemas/teams/).`);
  return file;
}

/** Schema errors of a filled manifest, checked offline against its bundled `$schema`; empty when valid. */
export async function manifestSchemaErrors(manifest: Record<string, unknown>): Promise<string[]> {
  const schema = JSON.parse(readFileSync(bundledSchemaPath(String(manifest.$schema)), 'utf8'));
  return AppManifestUtils.validateAgainstSchema(manifest as never, schema);
}

export interface AppPackageOptions {
  /** Folder holding manifest.json and the icons it names. */
  appPackageDir: string;
  /** Where the zip goes; its folder is created. */
  outFile: string;
  /** Values of the manifest's placeholders. */
  values: Record<string, string | undefined>;
}

/** Fills, validates and zips the manifest with its icons; resolves to the zip's path and the manifest as written. */
export async function buildAppPackage(options: AppPackageOptions): Promise<{ file: string; manifest: Record<string, unknown> }> {
  const manifestPath = path.join(options.appPackageDir, 'manifest.json');
  const text = fillPlaceholders(readFileSync(manifestPath, 'utf8'), options.values, manifestPath);
  const manifest = JSON.parse(text) as Record<string, unknown> & { icons: { color: string; outline: string } };
  const errors = await manifestSchemaErrors(manifest);
  if (errors.length) throw new Error(`${manifestPath} does not match its schema:\n  ${errors.join('\n  ')}`);
  const icons = [manifest.icons.color, manifest.icons.outline].map((name) => path.join(options.appPackageDir, name));
  for (const icon of icons) if (!existsSync(icon)) throw new Error(`The manifest names the icon ${icon}, which does not exist (node dist/src/tools/drawIcons.js draws them).`);

  mkdirSync(path.dirname(options.outFile), { recursive: true });
  const zip = archiver('zip', { zlib: { level: 9 } });
  const written = new Promise<void>((resolve, reject) => {
    const out = createWriteStream(options.outFile);
    out.on('close', resolve);
    out.on('error', reject);
    zip.on('error', reject);
    zip.pipe(out);
  });
  zip.append(text, { name: 'manifest.json' });
  for (const icon of icons) zip.file(icon, { name: path.basename(icon) });
  await zip.finalize();
  await written;
  return { file: options.outFile, manifest };
}

async function main(): Promise<void> {
  // The last --env wins; without one, the sandbox values, so a fresh clone builds a package.
  const envIndex = process.argv.lastIndexOf('--env');
  const envName = envIndex >= 0 ? process.argv[envIndex + 1] : 'sandbox';
  if (!envName || !/^[a-z0-9-]+$/i.test(envName)) throw new Error('--env takes the name of a file env/.env.<name>, e.g. --env dev.');
  const envFile = path.resolve('env', `.env.${envName}`);
  const fromFile = existsSync(envFile) ? parseEnvFile(readFileSync(envFile, 'utf8')) : {};
  const fromEnvironment = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value));
  const { file } = await buildAppPackage({
    appPackageDir: path.resolve('appPackage'),
    outFile: path.resolve('appPackage', 'build', `appPackage.${envName}.zip`),
    values: { ...fromFile, ...fromEnvironment },
  });
  console.log(`wrote ${path.relative(process.cwd(), file)}: upload it in Teams (Apps > Manage your apps > Upload an app) or the Teams admin center.`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
