import { IOT_HUB_QUERY, tokenizeQuery, type QueryToken, type QueryTokenProblem } from '../common';
import { argumentInvalid } from './iotHubErrors';
import type { DeviceRecord } from './iotHubState';

/** Decides whether a device's twin matches a query's WHERE clause. */
export type TwinPredicate = (device: DeviceRecord) => boolean;

/** IoT Hub's limit on the length of a query. */
export const MAX_QUERY_LENGTH = 8192;

const SUPPORTED = "the sandbox evaluates SELECT * FROM devices [WHERE tags.<path> = '<string>' or tags.<path> IN ['<string>', ...] joined by AND, OR and parentheses]";
const TOKEN_PROBLEMS: Record<QueryTokenProblem['reason'], string> = {
  unexpectedCharacter: 'unexpected character',
  unterminatedString: 'unterminated string literal',
  invalidEscape: 'invalid escape sequence',
};

/**
 * Parses the part of IoT Hub's query language the adapter uses:
 * `SELECT * FROM devices [WHERE <condition>]`, where a condition compares `tags.<path>` with a
 * single-quoted string by `=` or with a list of them by `IN ['a', 'b']` (the language's array
 * literal), joined by AND and OR (AND binds tighter) and grouped by parentheses. Keywords are case-insensitive; string comparison is case-sensitive, as in IoT Hub.
 * Inside a literal `\'` is a quote and `\\` a backslash, so a value can never end the literal
 * early (the escaping of `quotedString` in src/adapters/queryLiteral.ts).
 * @throws 400 `ArgumentInvalid` for malformed queries and for anything else the language has.
 */
export function parseTwinQuery(text: string): TwinPredicate {
  if (text.length > MAX_QUERY_LENGTH) throw argumentInvalid(`The query is longer than ${MAX_QUERY_LENGTH} characters`);
  const parser = new Parser(tokenizeQuery(text, IOT_HUB_QUERY, ({ reason, at }) => argumentInvalid(`Syntax error at position ${at}: ${TOKEN_PROBLEMS[reason]}`)));
  parser.keyword('SELECT');
  parser.symbol('*');
  parser.keyword('FROM');
  const collection = parser.next();
  if (collection?.kind !== 'name' || collection.text.toLowerCase() !== 'devices') throw unsupported();
  let predicate: TwinPredicate = () => true;
  if (!parser.atEnd()) {
    parser.keyword('WHERE');
    predicate = parser.condition();
  }
  if (!parser.atEnd()) throw unsupported();
  return predicate;
}

class Parser {
  private position = 0;

  constructor(private readonly tokens: readonly QueryToken[]) {}

  atEnd(): boolean {
    return this.position >= this.tokens.length;
  }

  next(): QueryToken | undefined {
    return this.tokens[this.position++];
  }

  keyword(name: string): void {
    const token = this.next();
    if (token?.kind !== 'keyword' || token.word !== name) throw syntaxError(token, `expected ${name}`);
  }

  symbol(text: string): void {
    const token = this.next();
    if (token?.kind !== 'mark' || token.text !== text) throw syntaxError(token, `expected '${text}'`);
  }

  /** condition := conjunction (OR conjunction)* */
  condition(): TwinPredicate {
    const parts = [this.conjunction()];
    while (this.peekWord('OR')) {
      this.position++;
      parts.push(this.conjunction());
    }
    return parts.length === 1 ? parts[0] : (device) => parts.some((part) => part(device));
  }

  /** conjunction := factor (AND factor)* */
  private conjunction(): TwinPredicate {
    const parts = [this.factor()];
    while (this.peekWord('AND')) {
      this.position++;
      parts.push(this.factor());
    }
    return parts.length === 1 ? parts[0] : (device) => parts.every((part) => part(device));
  }

  /** factor := '(' condition ')' | tags.<path> '=' string | tags.<path> IN '[' string (',' string)* ']' */
  private factor(): TwinPredicate {
    const token = this.next();
    if (token?.kind === 'mark' && token.text === '(') {
      const inner = this.condition();
      this.symbol(')');
      return inner;
    }
    if (token?.kind !== 'name') throw syntaxError(token, 'expected a property or (');
    const segments = token.text.split('.');
    if (segments[0] !== 'tags' || segments.length < 2) throw unsupported();
    const path = segments.slice(1);
    const operator = this.next();
    if (operator?.kind === 'keyword' && operator.word === 'IN') {
      const values = new Set(this.stringList());
      return (device) => {
        const value = valueAt(device.twin.tags, path);
        return typeof value === 'string' && values.has(value);
      };
    }
    if (operator?.kind !== 'mark') throw syntaxError(operator, 'expected a comparison');
    if (operator.text !== '=') throw unsupported();
    const literal = this.stringLiteral();
    return (device) => valueAt(device.twin.tags, path) === literal;
  }

  /** '[' string (',' string)* ']': an array literal of strings, at least one. */
  private stringList(): string[] {
    this.symbol('[');
    const values = [this.stringLiteral()];
    while (this.peekMark(',')) {
      this.position++;
      values.push(this.stringLiteral());
    }
    this.symbol(']');
    return values;
  }

  private stringLiteral(): string {
    const literal = this.next();
    if (literal?.kind !== 'string') throw literal === undefined ? syntaxError(literal, 'expected a value') : unsupported();
    return literal.value;
  }

  private peekMark(text: string): boolean {
    const token = this.tokens[this.position];
    return token?.kind === 'mark' && token.text === text;
  }

  private peekWord(name: string): boolean {
    const token = this.tokens[this.position];
    return token?.kind === 'keyword' && token.word === name;
  }
}

function valueAt(document: unknown, path: readonly string[]): unknown {
  let value = document;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function syntaxError(token: QueryToken | undefined, expected: string) {
  return argumentInvalid(token ? `Syntax error at position ${token.at}: ${expected}` : `Syntax error at the end of the query: ${expected}`);
}

function unsupported() {
  return argumentInvalid(`Unsupported query: ${SUPPORTED}`);
}
