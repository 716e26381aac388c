import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The arrows docs/architecture.md forbids, read from the code's own imports: the domain's
 * public face, and the "never" list. A new import that breaks one fails here with the file
 * and the import named.
 */
const ROOT = path.resolve(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(relative);
    return /\.tsx?$/.test(entry.name) ? [relative] : [];
  });
}

interface Import {
  file: string;
  /** As written: `../dsr`, `node:fs`, `botbuilder`. */
  specifier: string;
  /** The repo path a relative import names (no extension), else undefined. */
  target?: string;
}

const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

function importsOf(file: string): Import[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(SPECIFIER)].map(([, specifier]) => ({
    file,
    specifier,
    ...(specifier.startsWith('.') ? { target: path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.(ts|tsx|js|json)$/, '') } : {}),
  }));
}

const ALL = ['src', 'test', 'bench'].flatMap(sourceFiles).flatMap(importsOf);
const inFolder = (repoPath: string, folder: string) => repoPath === folder || repoPath.startsWith(`${folder}/`);
const shown = (list: Import[]) => list.map((i) => `${i.file} imports ${i.specifier}`);

/** folder → the folders of ours it must never import. */
const NEVER: Record<string, string[]> = {
  'src/sandbox': ['src/adapters', 'src/bot', 'src/cards', 'src/storage', 'src/i18n'],
  'src/adapters': ['src/bot', 'src/cards', 'src/storage', 'src/sandbox'],
  'src/storage': ['src/bot', 'src/cards', 'src/adapters', 'src/sandbox'],
  'src/cards': ['src/bot', 'src/adapters', 'src/storage', 'src/sandbox', 'src/config'],
  'src/bot': ['src/adapters', 'src/sandbox'],
  'src/config': ['src/adapters', 'src/bot', 'src/cards', 'src/storage'],
  'src/words': ['src/bot', 'src/cards', 'src/adapters', 'src/storage', 'src/sandbox', 'src/config'],
  'src/i18n': ['src'],
  'src/azureFacts': ['src'],
};

describe('import rules', () => {
  it('reads the imports of the whole tree', () => {
    // A scanner that found nothing would pass every rule below.
    expect(ALL.filter((i) => i.target && inFolder(i.target, 'src/dsr')).length).toBeGreaterThan(100);
    expect(new Set(ALL.map((i) => i.file)).size).toBeGreaterThan(300);
  });

  it('outside src/dsr/, nothing imports a domain file but its index', () => {
    const wrong = ALL.filter((i) => !inFolder(i.file, 'src/dsr') && i.target && inFolder(i.target, 'src/dsr') && i.target !== 'src/dsr' && i.target !== 'src/dsr/index');
    expect(shown(wrong)).toEqual([]);
  });

  it('the domain imports nothing but itself and Node built-ins: no Teams, Azure, storage, sandbox or words', () => {
    const wrong = ALL.filter((i) => inFolder(i.file, 'src/dsr') && (i.target ? !inFolder(i.target, 'src/dsr') : !i.specifier.startsWith('node:')));
    expect(shown(wrong)).toEqual([]);
  });

  it.each(Object.entries(NEVER))('%s never imports %j', (folder, forbidden) => {
    const wrong = ALL.filter(
      (i) => inFolder(i.file, folder) && i.target && !inFolder(i.target, folder) && forbidden.some((other) => inFolder(i.target!, other)),
    );
    expect(shown(wrong)).toEqual([]);
  });

  it('the tab\'s web app imports only itself and its own words (the tab area of the catalog), never server code', () => {
    const own = (target: string) => inFolder(target, 'src/tab/web') || /^src\/i18n\/catalogs\/(en|de|fr|es)\/tab$/.test(target);
    const wrong = ALL.filter((i) => inFolder(i.file, 'src/tab/web') && (i.target ? !own(i.target) : i.specifier.startsWith('node:')));
    expect(ALL.filter((i) => inFolder(i.file, 'src/tab/web') && i.specifier === '@microsoft/teams-js').length).toBeGreaterThan(0);
    expect(shown(wrong)).toEqual([]);
  });

  it('Teams and Bot Framework packages stay inside src/bot/ (and the entry that wires it)', () => {
    const teams = /^(botbuilder|botframework-|@microsoft\/teams-ai)/;
    const allowed = ['src/bot', 'src/server.ts', 'src/index.ts'];
    const wrong = ALL.filter((i) => i.file.startsWith('src/') && teams.test(i.specifier) && !allowed.some((a) => inFolder(i.file, a.replace(/\.ts$/, '')) || i.file === a));
    expect(shown(wrong)).toEqual([]);
  });
});
