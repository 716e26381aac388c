import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * Every word a person reads comes from the message catalog (src/i18n/catalogs), placed on
 * cards by the layouts. This test reads the code's syntax trees and fails on any string literal of
 * three or more words built elsewhere, unless it is for operators: a log line, a thrown error, a
 * console line, or one of the few operator texts listed below with the reason they stay English.
 */
const ROOT = path.resolve(__dirname, '..', '..');

/** Where person-facing text could be built. Settings problems (src/config), the sandbox and the tools speak to operators. */
const SCANNED = ['src/bot', 'src/cards', 'src/dsr', 'src/adapters', 'src/storage', 'src/server.ts'];

/** Operator texts by file, each with why it is not in the catalog. */
const OPERATOR_TEXTS: Record<string, string> = {
  // `npm run audit:verify` and the digest checks report to whoever runs the tool, like a log.
  'src/storage/tableAuditLog.ts': 'audit chain verification problems, printed by npm run audit:verify',
  'src/storage/digestChecks.ts': 'audit digest verification problems, printed by npm run audit:verify',
  'src/storage/auditDigests.ts': 'why a digest blob fails its check, printed by npm run audit:verify',
  // Bot Framework protocol errors answered to a caller that is not a person (the connector, a forger).
  'src/server.ts': 'HTTP 400/403 bodies of malformed or foreign activities',
};

const LOGGER_METHODS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'log']);

function filesUnder(entry: string): string[] {
  if (entry.endsWith('.ts')) return [entry];
  return readdirSync(path.join(ROOT, entry), { withFileTypes: true }).flatMap((child) => {
    const inner = path.posix.join(entry, child.name);
    if (child.isDirectory()) return filesUnder(inner);
    return child.name.endsWith('.ts') ? [inner] : [];
  });
}

/** True when the literal is an argument of a log call, an Error, a throw, or a regular expression's source. */
function forOperators(node: ts.Node): boolean {
  for (let current: ts.Node | undefined = node.parent; current; current = current.parent) {
    if (ts.isThrowStatement(current)) return true;
    if (ts.isNewExpression(current) && /Error$|^RegExp$/.test(current.expression.getText())) return true;
    if (ts.isCallExpression(current)) {
      const callee = current.expression;
      if (ts.isPropertyAccessExpression(callee) && LOGGER_METHODS.has(callee.name.text)) return true;
      if (callee.kind === ts.SyntaxKind.SuperKeyword) return true;
    }
    if (ts.isFunctionLike(current) || ts.isClassLike(current)) return false;
  }
  return false;
}

const THREE_WORDS = /[\p{L}]{2,}[^\p{L}]+[\p{L}]{2,}[^\p{L}]+[\p{L}]{2,}/u;
/**
 * What reads as prose: a capitalised word followed by a lower-case one (`There is`, `Your request`),
 * or a clause mark inside (`data erased; receipt sent`). Operation names, audit event names and
 * query text (`list incoming relationships`, `SELECT * FROM ...`) are neither.
 */
const PROSE = /(^|[\s(])\p{Lu}\p{Ll}+\s+\p{Ll}|\p{Ll}[.;:!?]\s+\p{L}/u;
/** Query and header text: ADT/IoT Hub `SELECT`, OData `eq`, a media type. */
const MACHINE_TEXT = /\bSELECT\b|\beq\b|^[\w.+-]+\/[\w.+-]+;/;

function sentencesIn(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    let literal: string | undefined;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) literal = node.text;
    else if (ts.isTemplateExpression(node)) literal = [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join(' ');
    if (literal !== undefined && !ts.isImportDeclaration(node.parent) && !ts.isExportDeclaration(node.parent) && THREE_WORDS.test(literal) && PROSE.test(literal) && !MACHINE_TEXT.test(literal) && !forOperators(node)) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart());
      found.push(`${file}:${line + 1}: ${literal.slice(0, 80)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('words a person reads', () => {
  const files = SCANNED.flatMap(filesUnder).filter((file) => !(file in OPERATOR_TEXTS));

  it('scans the code that talks to people', () => {
    expect(files.length).toBeGreaterThan(100);
    // The check finds a sentence where one is: a regex or a tokenizer that saw nothing would pass everything.
    expect(sentencesIn('test/unit/wordsInCatalog.test.ts').some((s) => s.includes('operator texts'))).toBe(false);
    expect(sentencesIn('src/storage/tableAuditLog.ts').length).toBeGreaterThan(0);
  });

  it('are never built outside the catalog and the card templates', () => {
    expect(files.flatMap(sentencesIn)).toEqual([]);
  });
});
