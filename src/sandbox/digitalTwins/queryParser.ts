import { DIGITAL_TWINS_QUERY, tokenizeQuery, type QueryToken, type QueryTokenProblem } from '../common';
import { sqlQueryError } from './digitalTwinsErrors';

/** A property of a collection: `T.externalIds.entra` is `{ alias: 'T', path: ['externalIds', 'entra'] }`. */
export interface PropertyRef {
  /** The collection alias; undefined in a query that names none (`SELECT * FROM DIGITALTWINS WHERE ownerId = ...`). */
  readonly alias: string | undefined;
  readonly path: readonly string[];
}

export type Condition =
  | { readonly kind: 'equals'; readonly ref: PropertyRef; readonly value: string }
  | { readonly kind: 'in'; readonly ref: PropertyRef; readonly values: readonly string[] }
  | { readonly kind: 'and' | 'or'; readonly left: Condition; readonly right: Condition };

/** One column of a projection: a whole collection (`T`) or one of its top-level properties (`T.$dtId`). */
export interface Column {
  readonly alias: string;
  readonly property?: string;
}

/** A query of the subset the sandbox evaluates. */
export interface ParsedQuery {
  readonly from: { readonly collection: 'DIGITALTWINS' | 'RELATIONSHIPS'; readonly alias?: string };
  /** `JOIN <alias> RELATED <from alias>.<relationship>`. */
  readonly join?: { readonly alias: string; readonly relationship: string };
  /** `'*'` or the projected columns. */
  readonly select: '*' | readonly Column[];
  readonly where?: Condition;
}

const TOKEN_PROBLEMS: Record<QueryTokenProblem['reason'], string> = {
  unexpectedCharacter: 'unexpected character',
  unterminatedString: 'the string literal is not terminated',
  invalidEscape: 'unsupported escape sequence in a string literal',
};

/**
 * Parses the part of the Azure Digital Twins query language the DSR adapter uses, and refuses
 * everything else with `SqlQueryError` rather than guessing at it:
 *
 * - `SELECT * | <alias>[.<property>], ... FROM DIGITALTWINS|RELATIONSHIPS [<alias>]`
 * - `JOIN <target> RELATED <alias>.<relationship>` (twins only; `SELECT *` is not allowed with it)
 * - `WHERE` with `<ref> = '<string>'`, `<ref> IN ['<string>', ...]`, `AND`, `OR` and parentheses.
 *
 * Keywords are case-insensitive; aliases and property names are case-sensitive, as in the service.
 * String literals are single-quoted; inside them `\'` is a quote and `\\` a backslash, so
 * `'x\' OR 1=1'` is one literal and never code.
 */
export function parseQuery(text: string): ParsedQuery {
  const tokens = tokenizeQuery(text, DIGITAL_TWINS_QUERY, ({ reason, at }) => sqlQueryError(`Syntax error at position ${at}: ${TOKEN_PROBLEMS[reason]}.`));
  return new Parser(tokens).query();
}

class Parser {
  private i = 0;
  private aliases: string[] = [];

  constructor(private readonly tokens: readonly QueryToken[]) {}

  query(): ParsedQuery {
    this.keyword('SELECT');
    const rawSelect = this.selectList();
    this.keyword('FROM');
    const collectionName = this.keywordOf(['DIGITALTWINS', 'RELATIONSHIPS']) as 'DIGITALTWINS' | 'RELATIONSHIPS';
    const fromAlias = this.optionalAlias();
    if (fromAlias) this.aliases.push(fromAlias);
    let join: ParsedQuery['join'];
    if (this.peekKeyword('JOIN')) {
      this.i++;
      if (collectionName !== 'DIGITALTWINS') this.fail('JOIN is supported on DIGITALTWINS only');
      const alias = this.alias();
      this.keyword('RELATED');
      const source = this.name();
      this.mark('.');
      const relationship = this.name();
      if (source !== fromAlias) this.fail(`RELATED must name the collection ${fromAlias ?? '(an alias is required)'}`);
      if (alias === fromAlias) this.fail('the JOIN alias is already in use');
      this.aliases.push(alias);
      join = { alias, relationship };
    }
    let where: Condition | undefined;
    if (this.peekKeyword('WHERE')) {
      this.i++;
      where = this.orCondition();
    }
    if (this.i < this.tokens.length) this.fail('unexpected text after the end of the query');
    const select = rawSelect === '*' ? '*' : rawSelect.map((ref) => this.column(ref));
    if (select === '*' && join) this.fail('SELECT * is not valid in a query with JOIN; project the collections instead');
    return { from: { collection: collectionName, ...(fromAlias && { alias: fromAlias }) }, ...(join && { join }), select, ...(where && { where }) };
  }

  private selectList(): '*' | string[][] {
    if (this.peekMark('*')) {
      this.i++;
      return '*';
    }
    const columns = [this.dottedName()];
    while (this.peekMark(',')) {
      this.i++;
      columns.push(this.dottedName());
    }
    return columns;
  }

  private column(segments: string[]): Column {
    const [alias, ...rest] = segments;
    if (!this.aliases.includes(alias)) this.fail(`the projection names an unknown collection`);
    if (rest.length > 1) this.fail('projections of nested properties are not supported by the sandbox');
    return rest.length === 0 ? { alias } : { alias, property: rest[0] };
  }

  private orCondition(): Condition {
    let left = this.andCondition();
    while (this.peekKeyword('OR')) {
      this.i++;
      left = { kind: 'or', left, right: this.andCondition() };
    }
    return left;
  }

  private andCondition(): Condition {
    let left = this.atom();
    while (this.peekKeyword('AND')) {
      this.i++;
      left = { kind: 'and', left, right: this.atom() };
    }
    return left;
  }

  private atom(): Condition {
    if (this.peekMark('(')) {
      this.i++;
      const inner = this.orCondition();
      this.mark(')');
      return inner;
    }
    const ref = this.ref();
    if (this.peekKeyword('IN')) {
      this.i++;
      this.mark('[');
      const values = [this.string()];
      while (this.peekMark(',')) {
        this.i++;
        values.push(this.string());
      }
      this.mark(']');
      return { kind: 'in', ref, values };
    }
    this.mark('=');
    return { kind: 'equals', ref, value: this.string() };
  }

  private ref(): PropertyRef {
    const segments = this.dottedName();
    if (segments.length > 1 && this.aliases.includes(segments[0])) return { alias: segments[0], path: segments.slice(1) };
    if (this.aliases.length === 0) return { alias: undefined, path: segments };
    return this.fail('a property must be named through its collection alias');
  }

  private dottedName(): string[] {
    const segments = [this.name()];
    while (this.peekMark('.')) {
      this.i++;
      segments.push(this.name());
    }
    return segments;
  }

  private optionalAlias(): string | undefined {
    if (this.tokens[this.i]?.kind !== 'name') return undefined;
    return this.alias();
  }

  private alias(): string {
    const name = this.name();
    if (name.startsWith('$')) this.fail(`'${name}' cannot be a collection alias`);
    return name;
  }

  private name(): string {
    const token = this.tokens[this.i];
    if (token?.kind !== 'name') return this.fail('a name was expected');
    this.i++;
    return token.text;
  }

  private string(): string {
    const token = this.tokens[this.i];
    if (token?.kind !== 'string') return this.fail('a string literal was expected (the sandbox compares strings only)');
    this.i++;
    return token.value;
  }

  private keyword(word: string): void {
    if (!this.peekKeyword(word)) this.fail(`${word} was expected`);
    this.i++;
  }

  private keywordOf(words: readonly string[]): string {
    const found = words.find((word) => this.peekKeyword(word));
    if (!found) return this.fail(`one of ${words.join(', ')} was expected`);
    this.i++;
    return found;
  }

  private peekKeyword(word: string): boolean {
    const token = this.tokens[this.i];
    return token?.kind === 'keyword' && token.word === word;
  }

  private mark(text: string): void {
    if (!this.peekMark(text)) this.fail(`'${text}' was expected`);
    this.i++;
  }

  private peekMark(text: string): boolean {
    const token = this.tokens[this.i];
    return token?.kind === 'mark' && token.text === text;
  }

  private fail(what: string): never {
    const at = this.tokens[this.i]?.at;
    throw sqlQueryError(`Syntax error${at === undefined ? ' at the end of the query' : ` at position ${at}`}: ${what}.`);
  }
}
