import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AppManifestUtils } from '@microsoft/app-manifest';
import AjvDraft04 from 'ajv-draft-04';

/**
 * The Teams app manifest and its language files against the schemas @microsoft/app-manifest bundles, offline:
 * which schema a `$schema` names, the errors of a document against it, and what a language file may translate.
 */

/** The copy of a Teams manifest schema, or of its localization (language file) schema, that @microsoft/app-manifest ships, for the `$schema` URL given. */
export function bundledSchemaPath(schemaUrl: string): string {
  const match = /\/json-schemas\/teams\/(v[\d.]+|vDevPreview)\/(MicrosoftTeams(?:\.Localization)?\.schema\.json)$/.exec(schemaUrl);
  if (!match) throw new Error(`$schema '${schemaUrl}' is not a Teams manifest schema URL (https://developer.microsoft.com/json-schemas/teams/v1.NN/MicrosoftTeams.schema.json, or MicrosoftTeams.Localization.schema.json for a language file).`);
  const [, version, name] = match;
  const root = path.dirname(require.resolve('@microsoft/app-manifest/package.json'));
  const file = path.join(root, 'build', 'json-schemas', 'teams', version, name);
  if (!existsSync(file)) throw new Error(`@microsoft/app-manifest does not bundle the Teams schema ${version}/${name}; use one it ships (build/json-schemas/teams/).`);
  return file;
}

/** Schema errors of a filled manifest, checked offline against its bundled `$schema`; empty when valid. */
export async function manifestSchemaErrors(manifest: Record<string, unknown>): Promise<string[]> {
  const schema = JSON.parse(readFileSync(bundledSchemaPath(String(manifest.$schema)), 'utf8'));
  return AppManifestUtils.validateAgainstSchema(manifest as never, schema);
}

/**
 * Schema errors of a language file, checked offline against its bundled `$schema`; empty when valid. Compiled here,
 * not by AppManifestUtils: some patterns of the localization schema (`activityTypes\[\b(...)\b]`) are not valid
 * Unicode regular expressions, which ajv compiles by default. Formats are not checked: `$schema`, the only one, is
 * compared whole by the package.
 */
export function languageFileSchemaErrors(strings: Record<string, unknown>): string[] {
  const schema = JSON.parse(readFileSync(bundledSchemaPath(String(strings.$schema)), 'utf8'));
  const validate = new AjvDraft04({ allErrors: true, unicodeRegExp: false, validateFormats: false }).compile(schema);
  return validate(strings) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}. Details: ${JSON.stringify(error.params)}`);
}

/** The `$schema` of the language files of a manifest: the localization schema of the manifest's own version. */
export function localizationSchemaUrl(manifest: Record<string, unknown>): string {
  return String(manifest.$schema).replace(/MicrosoftTeams\.schema\.json$/, 'MicrosoftTeams.Localization.schema.json');
}

/**
 * The manifest's strings that a language file may translate, by the key the localization schema gives them
 * (`name.short`, `bots[0].commandLists[1].commands[2].title`): the schema's list decides, so a string added
 * to the manifest later is asked for in every language file without a change here.
 */
export function localizableStrings(manifest: Record<string, unknown>): Map<string, string> {
  const schema = JSON.parse(readFileSync(bundledSchemaPath(localizationSchemaUrl(manifest)), 'utf8')) as { properties: object; patternProperties: object };
  const names = Object.keys(schema.properties).filter((name) => name !== '$schema' && name !== 'localizationKeys');
  const patterns = Object.keys(schema.patternProperties).map((pattern) => new RegExp(pattern));
  const strings = new Map<string, string>();
  const walk = (value: unknown, key: string): void => {
    if (typeof value === 'string') {
      if (names.includes(key) || patterns.some((pattern) => pattern.test(key))) strings.set(key, value);
    } else if (Array.isArray(value)) value.forEach((item, index) => walk(item, `${key}[${index}]`));
    else if (value && typeof value === 'object') for (const [name, item] of Object.entries(value)) walk(item, key ? `${key}.${name}` : name);
  };
  walk(manifest, '');
  return strings;
}

/** The language files `localizationInfo` names (the default language's first, when it has one), paths relative to the manifest. */
export function languageFiles(manifest: Record<string, unknown>): { languageTag: string; file: string }[] {
  const info = manifest.localizationInfo as { defaultLanguageTag: string; defaultLanguageFile?: string; additionalLanguages?: { languageTag: string; file: string }[] } | undefined;
  if (!info) return [];
  return [...(info.defaultLanguageFile ? [{ languageTag: info.defaultLanguageTag, file: info.defaultLanguageFile }] : []), ...(info.additionalLanguages ?? [])];
}
