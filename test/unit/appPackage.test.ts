import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { Intent, parseIntent } from '../../src/bot/intents';
import { buildAppPackage, bundledSchemaPath, fillPlaceholders, manifestSchemaErrors, parseEnvFile, placeholdersIn } from '../../src/tools/packageApp';
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

  it('is a bot for personal chats and teams, with its domain and app registration', () => {
    const manifest = filledManifest();
    expect(manifest.bots[0].scopes.sort()).toEqual(['personal', 'team']);
    expect(manifest.bots[0].botId).toBe(SAMPLE_VALUES.BOT_ID);
    expect(manifest.validDomains).toEqual([SAMPLE_VALUES.BOT_DOMAIN]);
    expect(manifest.webApplicationInfo.id).toBe(SAMPLE_VALUES.BOT_ID);
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

  it('have no command the bot does not answer', () => {
    expect(all.filter((title) => parseIntent(title).type === 'unknown')).toEqual([]);
    expect(all.filter((title) => !(title in EXPECTED_INTENTS))).toEqual([]);
  });
});

describe('npm run package', () => {
  it('writes a zip holding the filled manifest and both icons', async () => {
    const outFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'dsr-app-package-')), 'build', 'appPackage.test.zip');
    const { file } = await buildAppPackage({ appPackageDir: APP_PACKAGE, outFile, values: SAMPLE_VALUES });
    const files = await unzip(readFileSync(file));
    expect([...files.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    expect(manifest.id).toBe(SAMPLE_VALUES.TEAMS_APP_ID);
    expect(files.get('manifest.json')!.toString('utf8')).not.toContain('${{');
    expect(files.get('outline.png')).toEqual(readFileSync(path.join(APP_PACKAGE, 'outline.png')));
  });

  it('refuses to build without a value for every placeholder, naming them', async () => {
    const outFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'dsr-app-package-')), 'appPackage.zip');
    await expect(buildAppPackage({ appPackageDir: APP_PACKAGE, outFile, values: { TEAMS_APP_ID: SAMPLE_VALUES.TEAMS_APP_ID } })).rejects.toThrow(/needs BOT_DOMAIN, BOT_ID, which have no value/);
  });

  it('reads Agents Toolkit env files: comments, blanks and quotes', () => {
    expect(parseEnvFile('# generated\nTEAMSFX_ENV=dev\n\nBOT_ID="abc"\nEMPTY=\n  BOT_DOMAIN = x.example  \n')).toEqual({ TEAMSFX_ENV: 'dev', BOT_ID: 'abc', EMPTY: '', BOT_DOMAIN: 'x.example' });
  });
});
