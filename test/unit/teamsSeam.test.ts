import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');

/** The Bot Framework and Teams AI packages, which only the bot part and the server's wiring may use. */
const TEAMS_PACKAGE = /^(botbuilder|botframework-[^/]+|@microsoft\/teams-ai)(\/|$)/;
const ALLOWED = (file: string) => file.startsWith('src/bot/') || file === 'src/server.ts';

/**
 * Every Teams package `source` imports, with its line: `import` and `export ... from`,
 * `require(...)` and `import(...)`. TypeScript's own scanner reads them, so comments and
 * strings that merely mention a package are not counted.
 */
function teamsImportsIn(source: string): { specifier: string; line: number }[] {
  return ts
    .preProcessFile(source, true, true)
    .importedFiles.filter((ref) => TEAMS_PACKAGE.test(ref.fileName))
    .map((ref) => ({ specifier: ref.fileName, line: source.slice(0, ref.pos).split('\n').length }));
}

function typeScriptFilesUnder(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return typeScriptFilesUnder(file);
    return entry.name.endsWith('.ts') ? [file] : [];
  });
}

describe('the Teams seam', () => {
  it('finds a Teams import however it is written, and nothing in comments or strings', () => {
    const sample = [
      "import { TurnContext } from 'botbuilder';",
      "import type { Activity } from 'botframework-schema';",
      "export { Application } from '@microsoft/teams-ai';",
      "const connector = require('botframework-connector');",
      "const later = () => import('@microsoft/teams-ai/lib/x');",
      "// import { CloudAdapter } from 'botbuilder';",
      "const note = \"from 'botbuilder'\";",
      "import { TableClient } from '@azure/data-tables';",
      "import { teamsAppId } from './botbuilderless';",
    ].join('\n');
    expect(teamsImportsIn(sample)).toEqual([
      { specifier: 'botbuilder', line: 1 },
      { specifier: 'botframework-schema', line: 2 },
      { specifier: '@microsoft/teams-ai', line: 3 },
      { specifier: 'botframework-connector', line: 4 },
      { specifier: '@microsoft/teams-ai/lib/x', line: 5 },
    ]);
  });

  it('keeps every Teams import inside src/bot/ and the server wiring', () => {
    const files = typeScriptFilesUnder('src');
    expect(files).toContain('src/bot/app.ts');
    const outside = files
      .filter((file) => !ALLOWED(file))
      .flatMap((file) => teamsImportsIn(readFileSync(path.join(ROOT, file), 'utf8')).map(({ specifier, line }) => `${file}:${line} imports '${specifier}'`));
    expect(outside).toEqual([]);
  });
});
