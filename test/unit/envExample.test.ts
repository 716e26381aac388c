import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
/** Every module of src/config/, where the settings are read. */
const readConfig = () => readdirSync(path.join(ROOT, 'src', 'config')).map((file) => read(path.join('src', 'config', file))).join('\n');

/** Every setting src/config/ reads: `text('NAME', ...)`-style calls and `env.NAME`. */
function settingsConfigReads(): string[] {
  const config = readConfig();
  const quoted = [...config.matchAll(/'((?:DSR|AZURE)_[A-Z_]+|Microsoft[A-Za-z]+|PORT)'/g)].map((m) => m[1]);
  const dotted = [...config.matchAll(/\benv\.([A-Z][A-Za-z_]+)/g)].map((m) => m[1]);
  return [...new Set([...quoted, ...dotted])];
}

describe('.env.example', () => {
  const documented = new Set([...read('.env.example').matchAll(/^#? ?([A-Za-z_]+)=/gm)].map((m) => m[1]));

  it('lists every setting src/config/ reads, each on a NAME= line', () => {
    const settings = settingsConfigReads();
    expect(settings.length).toBeGreaterThan(40);
    expect(settings.filter((name) => !documented.has(name))).toEqual([]);
  });

  it('lists only settings the bot or the sandbox launcher reads', () => {
    const readers = readConfig() + read('src/sandbox/launch.ts');
    expect([...documented].filter((name) => !readers.includes(name))).toEqual([]);
  });
});
