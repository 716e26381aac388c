import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import archiver from 'archiver';
import { languageFileSchemaErrors, languageFiles, localizableStrings, localizationSchemaUrl, manifestSchemaErrors } from './manifestSchemas';

/**
 * `npm run package`: the Teams app package (manifest.json with its `${{NAME}}` placeholders filled, both
 * icons and the language files its `localizationInfo` names) as one zip to sideload or upload, as Agents
 * Toolkit's teamsApp/zipAppPackage builds it. Values come from `env/.env.<name>` (`env/.env.sandbox`, fixed ids that name no real app, by default), then from the
 * environment, which wins. The manifest and its language files are validated offline against the schemas
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

/** Why a language file cannot go into the package: a `$schema` other than the manifest's localization schema, its schema errors, and every localizable string of the manifest it leaves out or key it has that the manifest does not. */
function languageFileErrors(strings: Record<string, unknown>, manifest: Record<string, unknown>): string[] {
  const localizable = localizableStrings(manifest);
  const keys = Object.keys(strings).filter((key) => key !== '$schema');
  return [
    ...(strings.$schema === localizationSchemaUrl(manifest) ? [] : [`$schema is ${String(strings.$schema)}, not ${localizationSchemaUrl(manifest)} (the manifest's version)`]),
    ...languageFileSchemaErrors(strings),
    ...[...localizable.keys()].filter((key) => !(key in strings)).map((key) => `${key} is missing (the manifest has it)`),
    ...keys.filter((key) => !localizable.has(key)).map((key) => `${key} is not a localizable string of the manifest`),
  ];
}

/** The language files the manifest names, read and checked, as they go into the zip; throws naming the file and what is wrong with it. */
function readLanguageFiles(appPackageDir: string, manifest: Record<string, unknown>): { name: string; text: string }[] {
  const read: { name: string; text: string }[] = [];
  for (const { file } of languageFiles(manifest)) {
    const languagePath = path.join(appPackageDir, file);
    if (!existsSync(languagePath)) throw new Error(`The manifest's localizationInfo names the language file ${languagePath}, which does not exist.`);
    const text = readFileSync(languagePath, 'utf8');
    const errors = languageFileErrors(JSON.parse(text), manifest);
    if (errors.length) throw new Error(`${languagePath} is not a language file of this manifest:\n  ${errors.join('\n  ')}`);
    read.push({ name: file, text });
  }
  return read;
}

export interface AppPackageOptions {
  /** Folder holding manifest.json and the icons it names. */
  appPackageDir: string;
  /** Where the zip goes; its folder is created. */
  outFile: string;
  /** Values of the manifest's placeholders. */
  values: Record<string, string | undefined>;
}

/** Fills, validates and zips the manifest with its icons and language files; resolves to the zip's path and the manifest as written. */
export async function buildAppPackage(options: AppPackageOptions): Promise<{ file: string; manifest: Record<string, unknown> }> {
  const manifestPath = path.join(options.appPackageDir, 'manifest.json');
  const text = fillPlaceholders(readFileSync(manifestPath, 'utf8'), options.values, manifestPath);
  const manifest = JSON.parse(text) as Record<string, unknown> & { icons: { color: string; outline: string } };
  const errors = await manifestSchemaErrors(manifest);
  if (errors.length) throw new Error(`${manifestPath} does not match its schema:\n  ${errors.join('\n  ')}`);
  const icons = [manifest.icons.color, manifest.icons.outline].map((name) => path.join(options.appPackageDir, name));
  for (const icon of icons) if (!existsSync(icon)) throw new Error(`The manifest names the icon ${icon}, which does not exist (node dist/src/tools/drawIcons.js draws them).`);
  const languages = readLanguageFiles(options.appPackageDir, manifest);

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
  for (const language of languages) zip.append(language.text, { name: language.name });
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
