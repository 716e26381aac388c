import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { Intent, parseIntent } from '../../src/bot/intents';
import { buildAppPackage, fillPlaceholders, parseEnvFile, placeholdersIn } from '../../src/tools/packageApp';
import { bundledSchemaPath, languageFiles, languageFileSchemaErrors, localizableStrings, localizationSchemaUrl, manifestSchemaErrors } from '../../src/tools/manifestSchemas';
import { unzip } from '../support/unzip';

// @microsoft/app-manifest requires strip-bom 5, an ES module that jest's CommonJS runtime cannot
// load (plain Node can, so `npm run package` uses the real one). Only the package's file
// readers use it, not the schema validation tested here.
jest.mock(
  require('node:path').join(require('node:path').dirname(require.resolve('@microsoft/app-manifest/package.json')), 'node_modules', 'strip-bom', 'index.js'),
  () => ({ __esModule: true, default: (text: string) => text.replace(/^\uFEFF/, '') }),
);

const ROOT = path.resolve(__dirname, '..', '..');
const APP_PACKAGE = path.join(ROOT, 'appPackage');
const MANIFEST_TEXT = readFileSync(path.join(APP_PACKAGE, 'manifest.json'), 'utf8');
const MANIFEST = JSON.parse(MANIFEST_TEXT);

/** What Agents Toolkit would write into env/.env.<env> after provisioning. */
const SAMPLE_VALUES = {
  TEAMS_APP_ID: '5b2a8e1c-3d4f-4a6b-9c8d-7e6f5a4b3c2d',
  BOT_ID: '0f9e8d7c-6b5a-4e3d-8c2b-1a0f9e8d7c6b',
  BOT_DOMAIN: 'dsr-bot-contoso.azurewebsites.net',
  TAB_APP_ID: '7c3e9a1b-4d2f-4e8a-b6c5-2f1e0d9c8b7a',
};
const filledManifest = () => JSON.parse(fillPlaceholders(MANIFEST_TEXT, SAMPLE_VALUES));

/** The newest Teams manifest schema @microsoft/app-manifest ships (previews aside). */
function newestBundledSchemaVersion(): string {
  const dir = path.dirname(path.dirname(bundledSchemaPath('https://developer.microsoft.com/json-schemas/teams/v1.0/MicrosoftTeams.schema.json')));
  const versions = readdirSync(dir).filter((name) => /^v1\.\d+$/.test(name));
  return versions.map((v) => v.slice(1)).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1])).pop()!;
}

describe('the Teams app manifest', () => {
  it('is on the newest manifest schema @microsoft/app-manifest bundles', () => {
    const newest = newestBundledSchemaVersion();
    expect(MANIFEST.manifestVersion).toBe(newest);
    expect(MANIFEST.$schema).toBe(`https://developer.microsoft.com/json-schemas/teams/v${newest}/MicrosoftTeams.schema.json`);
  });

  it('validates offline against that schema once its placeholders are filled', async () => {
    expect(await manifestSchemaErrors(filledManifest())).toEqual([]);
  });

  it('is really checked: a bot id that is not a GUID fails the schema', async () => {
    const broken = filledManifest();
    broken.bots[0].botId = 'dsr-bot';
    const errors = await manifestSchemaErrors(broken);
    expect(errors.some((e) => e.startsWith('/bots/0/botId'))).toBe(true);
  });

  it('takes its ids and domain from placeholders that the env templates list', () => {
    expect(placeholdersIn(MANIFEST_TEXT).sort()).toEqual(Object.keys(SAMPLE_VALUES).sort());
    for (const env of ['.env.local', '.env.dev']) {
      const keys = Object.keys(parseEnvFile(readFileSync(path.join(ROOT, 'env', env), 'utf8')));
      expect(keys).toEqual(expect.arrayContaining(Object.keys(SAMPLE_VALUES)));
    }
  });

  it('is a bot for personal chats and teams, with its domain', () => {
    const manifest = filledManifest();
    expect(manifest.bots[0].scopes.sort()).toEqual(['personal', 'team']);
    expect(manifest.bots[0].botId).toBe(SAMPLE_VALUES.BOT_ID);
    expect(manifest.validDomains).toEqual([SAMPLE_VALUES.BOT_DOMAIN]);
  });

  it('has the dashboard as a personal tab and a channel tab, served by the bot under /tab/, signed in by the tab\'s own app registration', () => {
    const manifest = filledManifest();
    const domain = SAMPLE_VALUES.BOT_DOMAIN;
    expect(manifest.staticTabs).toEqual([expect.objectContaining({ contentUrl: `https://${domain}/tab/`, scopes: ['personal'] })]);
    expect(manifest.configurableTabs).toEqual([expect.objectContaining({ configurationUrl: `https://${domain}/tab/config.html`, scopes: ['team'] })]);
    expect(manifest.webApplicationInfo).toEqual({ id: SAMPLE_VALUES.TAB_APP_ID, resource: `api://${domain}/${SAMPLE_VALUES.TAB_APP_ID}` });
  });
});

type Strings = Record<string, string>;
const readLanguageFile = (file: string): Strings => JSON.parse(readFileSync(path.join(APP_PACKAGE, file), 'utf8'));
const LANGUAGE_FILES: [string, Strings][] = languageFiles(MANIFEST).map(({ languageTag, file }) => [languageTag, readLanguageFile(file)]);
const ENGLISH = readLanguageFile('en.json');
/** What a language file translates: its keys without `$schema`. */
const translated = (strings: Strings): Strings => Object.fromEntries(Object.entries(strings).filter(([key]) => key !== '$schema'));
/** The steps of a localization key: `bots[0].commandLists[1].commands[2].title` is bots, 0, commandLists, 1, commands, 2, title. */
const stepsOf = (key: string): string[] => key.split(/[.[\]]+/).filter(Boolean);
/** The value at a localization key's path in a manifest; undefined where the path leads nowhere. */
const atPath = (document: unknown, key: string): unknown => stepsOf(key).reduce((node, step) => (node as Record<string, unknown> | undefined)?.[step], document);
/** The filled manifest with a language file's strings put in place, as Teams shows the app in that language. */
function localizedManifest(strings: Strings) {
  const manifest = filledManifest();
  for (const [key, value] of Object.entries(translated(strings))) {
    const steps = stepsOf(key);
    const last = steps.pop()!;
    (atPath(manifest, steps.join('.')) as Strings)[last] = value;
  }
  return manifest;
}

describe('the language files of the manifest', () => {
  it('are English by default, with German, French and Spanish besides', () => {
    expect(MANIFEST.localizationInfo.defaultLanguageTag).toBe('en');
    expect(languageFiles(MANIFEST)).toEqual([
      { languageTag: 'en', file: 'en.json' },
      { languageTag: 'de', file: 'de.json' },
      { languageTag: 'fr', file: 'fr.json' },
      { languageTag: 'es', file: 'es.json' },
    ]);
  });

  it('cover every string of the manifest that Teams lets an app localize: names, descriptions, each command title and description, the tab names', () => {
    const keys = [...localizableStrings(filledManifest()).keys()];
    const commands = MANIFEST.bots[0].commandLists.flatMap((list: { commands: unknown[] }) => list.commands).length;
    expect(keys).toEqual(expect.arrayContaining(['name.short', 'name.full', 'description.short', 'description.full', 'bots[0].commandLists[1].commands[3].description', 'staticTabs[0].name']));
    expect(keys).toHaveLength(4 + 2 * commands + MANIFEST.staticTabs.length);
  });

  it.each(LANGUAGE_FILES)('%s validates offline against the localization schema of the manifest\'s version', async (_, strings) => {
    expect(strings.$schema).toBe(`https://developer.microsoft.com/json-schemas/teams/v${MANIFEST.manifestVersion}/MicrosoftTeams.Localization.schema.json`);
    expect(strings.$schema).toBe(localizationSchemaUrl(MANIFEST));
    expect(languageFileSchemaErrors(strings)).toEqual([]);
  });

  it('is really checked: a short name over 30 characters or a key the schema does not know fails the localization schema', () => {
    expect(languageFileSchemaErrors({ ...ENGLISH, 'name.short': 'Betroffenenanfragen-Bot für Teams' }).some((e) => e.startsWith('/name.short'))).toBe(true);
    expect(languageFileSchemaErrors({ ...ENGLISH, 'developer.name': 'DSR-Bot-Team' }).some((e) => e.includes('additionalProperty'))).toBe(true);
  });

  it.each(LANGUAGE_FILES)('%s localizes exactly the localizable strings of the manifest', (_, strings) => {
    expect(Object.keys(translated(strings)).sort()).toEqual([...localizableStrings(filledManifest()).keys()].sort());
  });

  it.each(LANGUAGE_FILES)('%s names only paths that lead to a string of the manifest', (_, strings) => {
    const nowhere = Object.keys(translated(strings)).filter((key) => typeof atPath(MANIFEST, key) !== 'string');
    expect(nowhere).toEqual([]);
  });

  it.each(LANGUAGE_FILES)('%s fits the manifest\'s field limits once Teams puts its strings in place', async (_, strings) => {
    const manifest = localizedManifest(strings);
    expect(manifest.bots[0].commandLists[1].commands[3].title).toBe(strings['bots[0].commandLists[1].commands[3].title']);
    expect(await manifestSchemaErrors(manifest)).toEqual([]);
  });

  it('is really checked: a short description over 80 characters fails the manifest schema once in place', async () => {
    const errors = await manifestSchemaErrors(localizedManifest({ ...ENGLISH, 'description.short': 'x'.repeat(81) }));
    expect(errors.some((e) => e.startsWith('/description/short'))).toBe(true);
  });

  it('the English file holds the manifest\'s own strings, word for word', () => {
    expect(translated(ENGLISH)).toEqual(Object.fromEntries(localizableStrings(filledManifest())));
  });

  it.each(LANGUAGE_FILES.filter(([tag]) => tag !== 'en'))('%s is a translation, not a copy of the English strings', (_, strings) => {
    const copied = Object.keys(translated(strings)).filter((key) => strings[key] === ENGLISH[key]);
    expect(copied).toEqual([]);
  });

  it.each([
    ['de', ['Berichtigung', 'Einschränkung der Verarbeitung', 'Löschung', 'Datenübertragbarkeit']],
    ['fr', ['rectification', 'limitation du traitement', 'effacement', 'portabilité']],
    ['es', ['rectificación', 'limitación del tratamiento', 'supresión', 'portabilidad']],
  ])('%s names the rights in the GDPR\'s own terms', (tag, terms) => {
    const words = Object.values(translated(readLanguageFile(`${tag}.json`))).join(' ');
    for (const term of terms) expect(words).toContain(term);
  });
});

/** Width, height, colour type and RGBA pixels of a PNG of 8-bit channels, any of the five row filters. */
function decodePng(png: Buffer): { width: number; height: number; colorType: number; pixels: Buffer } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.toString('ascii', 12, 16)).toBe('IHDR');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const [bitDepth, colorType] = [png[24], png[25]];
  expect(bitDepth).toBe(8);
  const channels = { 2: 3, 6: 4 }[colorType as 2 | 6];
  if (!channels) throw new Error(`colour type ${colorType} is not RGB or RGBA`);
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString('ascii', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const rows = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? rows[y * stride + x - channels] : 0;
      const b = y > 0 ? rows[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? rows[(y - 1) * stride + x - channels] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      rows[y * stride + x] = (value + [0, a, b, (a + b) >> 1, paeth][filter]) & 0xff;
    }
  }
  const pixels = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rows.copy(pixels, i * 4, i * channels, i * channels + 3);
    pixels[i * 4 + 3] = channels === 4 ? rows[i * channels + 3] : 255;
  }
  return { width, height, colorType, pixels };
}

describe('the app icons', () => {
  it('has a 192x192 colour icon with no transparent pixel', () => {
    const icon = decodePng(readFileSync(path.join(APP_PACKAGE, MANIFEST.icons.color)));
    expect([icon.width, icon.height]).toEqual([192, 192]);
    for (let i = 3; i < icon.pixels.length; i += 4) if (icon.pixels[i] !== 255) throw new Error(`colour icon pixel ${(i - 3) / 4} is not opaque`);
  });

  it('has a 32x32 outline icon that is white on transparency only', () => {
    const icon = decodePng(readFileSync(path.join(APP_PACKAGE, MANIFEST.icons.outline)));
    expect([icon.width, icon.height]).toEqual([32, 32]);
    expect(icon.colorType).toBe(6);
    let transparent = 0;
    let opaque = 0;
    for (let i = 0; i < icon.pixels.length; i += 4) {
      const [r, g, b, alpha] = icon.pixels.subarray(i, i + 4);
      if (alpha === 0) transparent++;
      else if (r !== 255 || g !== 255 || b !== 255) throw new Error(`outline pixel ${i / 4} is rgb(${r},${g},${b}), not white`);
      if (alpha === 255) opaque++;
    }
    expect(transparent).toBeGreaterThan(200); // the background
    expect(opaque).toBeGreaterThan(100); // the shield
  });
});

const EXPECTED_INTENTS: Record<string, Intent> = {
  help: { type: 'help' },
  'export my data': { type: 'request', kind: 'export' },
  'delete my data': { type: 'request', kind: 'erase' },
  status: { type: 'status' },
  queue: { type: 'queue' },
  'register approvals': { type: 'register', role: 'approvals' },
  'register compliance': { type: 'register', role: 'compliance' },
  report: { type: 'report' },
};

describe('the command lists', () => {
  const commandsFor = (scope: string): string[] =>
    MANIFEST.bots[0].commandLists.filter((list: { scopes: string[] }) => list.scopes.includes(scope)).flatMap((list: { commands: { title: string }[] }) => list.commands.map((c) => c.title));

  it('offer the chat commands in personal scope and the channel commands in team scope', () => {
    expect(commandsFor('personal')).toEqual(['help', 'export my data', 'delete my data', 'status', 'queue']);
    expect(commandsFor('team')).toEqual(['register approvals', 'register compliance', 'queue', 'report']);
  });

  const all: string[] = MANIFEST.bots[0].commandLists.flatMap((list: { commands: { title: string }[] }) => list.commands.map((c) => c.title));

  it.each(all.filter((title) => title in EXPECTED_INTENTS))('are answered by the bot: %p', (title) => {
    expect(parseIntent(title)).toEqual(EXPECTED_INTENTS[title]);
  });

  it.each(LANGUAGE_FILES)('%s command titles are answered as their English command', (_, strings) => {
    const titles = Object.entries(translated(strings)).filter(([key]) => key.endsWith('.title'));
    expect(titles.length).toBe(all.length);
    for (const [key, title] of titles) expect([title, parseIntent(title)]).toEqual([title, parseIntent(atPath(MANIFEST, key) as string)]);
  });

  it('have no command the bot does not answer', () => {
    expect(all.filter((title) => parseIntent(title).type === 'unknown')).toEqual([]);
    expect(all.filter((title) => !(title in EXPECTED_INTENTS))).toEqual([]);
  });
});

describe('npm run package', () => {
  it('writes a zip holding the filled manifest, both icons and the language files', async () => {
    const outFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'dsr-app-package-')), 'build', 'appPackage.test.zip');
    const { file } = await buildAppPackage({ appPackageDir: APP_PACKAGE, outFile, values: SAMPLE_VALUES });
    const files = await unzip(readFileSync(file));
    expect([...files.keys()].sort()).toEqual(['color.png', 'de.json', 'en.json', 'es.json', 'fr.json', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    expect(manifest.id).toBe(SAMPLE_VALUES.TEAMS_APP_ID);
    expect(files.get('manifest.json')!.toString('utf8')).not.toContain('${{');
    expect(files.get('outline.png')).toEqual(readFileSync(path.join(APP_PACKAGE, 'outline.png')));
    const named = languageFiles(manifest).map(({ file }) => file);
    expect([...files.keys()].filter((name) => name.endsWith('.json') && name !== 'manifest.json').sort()).toEqual([...named].sort());
    for (const file of named) expect(files.get(file)).toEqual(readFileSync(path.join(APP_PACKAGE, file)));
  });

  /** A copy of appPackage/ with one language file changed by `breakIt`. */
  function appPackageWith(breakIt: (dir: string) => void): string {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'dsr-app-package-')), 'appPackage');
    cpSync(APP_PACKAGE, dir, { recursive: true, filter: (source) => path.basename(source) !== 'build' });
    breakIt(dir);
    return dir;
  }
  const rewrite = (dir: string, file: string, change: (strings: Strings) => void): void => {
    const strings = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    change(strings);
    writeFileSync(path.join(dir, file), JSON.stringify(strings));
  };

  it.each<[string, (dir: string) => void, RegExp]>([
    ['a language file the manifest names is not there', (dir) => rmSync(path.join(dir, 'es.json')), /names the language file \S*es\.json, which does not exist/],
    ['a command added to the manifest is not translated', (dir) => rewrite(dir, 'fr.json', (s) => delete s['bots[0].commandLists[1].commands[3].title']), /fr\.json is not a language file of this manifest:\n {2}bots\[0\]\.commandLists\[1\]\.commands\[3\]\.title is missing/],
    ['a language file translates a string the manifest does not have', (dir) => rewrite(dir, 'de.json', (s) => (s['staticTabs[1].name'] = 'Anträge')), /staticTabs\[1\]\.name is not a localizable string of the manifest/],
    ['a language file breaks its schema', (dir) => rewrite(dir, 'de.json', (s) => (s['description.short'] = 'x'.repeat(81))), /de\.json is not a language file of this manifest:\n {2}\/description\.short must NOT have more than 80 characters/],
    ['a language file is written for another manifest version', (dir) => rewrite(dir, 'es.json', (s) => (s.$schema = s.$schema.replace('v1.30', 'v1.19'))), /\$schema is \S*v1\.19\S*, not \S*v1\.30/],
  ])('refuses to build when %s, saying what is wrong', async (_, breakIt, message) => {
    const appPackageDir = appPackageWith(breakIt);
    const outFile = path.join(path.dirname(appPackageDir), 'appPackage.zip');
    await expect(buildAppPackage({ appPackageDir, outFile, values: SAMPLE_VALUES })).rejects.toThrow(message);
  });

  it('refuses to build without a value for every placeholder, naming them', async () => {
    const outFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'dsr-app-package-')), 'appPackage.zip');
    await expect(buildAppPackage({ appPackageDir: APP_PACKAGE, outFile, values: { TEAMS_APP_ID: SAMPLE_VALUES.TEAMS_APP_ID } })).rejects.toThrow(/needs BOT_DOMAIN, BOT_ID, TAB_APP_ID, which have no value/);
  });

  it('reads Agents Toolkit env files: comments, blanks and quotes', () => {
    expect(parseEnvFile('# generated\nTEAMSFX_ENV=dev\n\nBOT_ID="abc"\nEMPTY=\n  BOT_DOMAIN = x.example  \n')).toEqual({ TEAMSFX_ENV: 'dev', BOT_ID: 'abc', EMPTY: '', BOT_DOMAIN: 'x.example' });
  });
});
