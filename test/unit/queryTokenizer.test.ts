import {
  DIGITAL_TWINS_QUERY, IOT_HUB_QUERY, ODATA_FILTER, tokenizeQuery, type QueryLanguage, type QueryTokenProblem,
} from '../../src/sandbox/common';

class Refused extends Error {
  constructor(readonly problem: QueryTokenProblem) {
    super(problem.reason);
  }
}

const tokens = (text: string, language: QueryLanguage) => tokenizeQuery(text, language, (problem) => new Refused(problem));

/** The problem a text is refused with; fails the test if it is not refused. */
function problemOf(text: string, language: QueryLanguage): QueryTokenProblem {
  try {
    tokens(text, language);
  } catch (error) {
    if (error instanceof Refused) return error.problem;
    throw error;
  }
  throw new Error(`'${text}' was split into tokens`);
}

/** Each token as one short string, to compare a whole query at a glance. */
const shapes = (text: string, language: QueryLanguage) => tokens(text, language).map((token) => {
  switch (token.kind) {
    case 'name': return `name:${token.text}`;
    case 'keyword': return `keyword:${token.word}`;
    case 'mark': return `mark:${token.text}`;
    default: return `${token.kind}:${String(token.value)}`;
  }
});

describe('queryTokenizer: Azure Digital Twins', () => {
  it('reads keywords in any case, names with $ and dots as marks between them, and where each token starts', () => {
    expect(shapes("select T.$dtId FROM digitalTwins T where T.ownerId = 'a'", DIGITAL_TWINS_QUERY)).toEqual([
      'keyword:SELECT', 'name:T', 'mark:.', 'name:$dtId', 'keyword:FROM', 'keyword:DIGITALTWINS', 'name:T',
      'keyword:WHERE', 'name:T', 'mark:.', 'name:ownerId', 'mark:=', 'string:a',
    ]);
    expect(tokens('SELECT  *', DIGITAL_TWINS_QUERY).map((token) => token.at)).toEqual([0, 8]);
  });

  it('unescapes \\\' and \\\\ so an injection attempt stays one string', () => {
    expect(shapes("T.x IN ['x\\' OR 1=1 OR T.$dtId != \\'', 'back\\\\slash']", DIGITAL_TWINS_QUERY)).toEqual([
      'name:T', 'mark:.', 'name:x', 'keyword:IN', 'mark:[', "string:x' OR 1=1 OR T.$dtId != '", 'mark:,', 'string:back\\slash', 'mark:]',
    ]);
  });

  it('reads numbers, booleans, null and the comparison operators, longest first', () => {
    expect(shapes('level >= 3.5 AND on != TRUE OR x <= null', DIGITAL_TWINS_QUERY)).toEqual([
      'name:level', 'mark:>=', 'number:3.5', 'keyword:AND', 'name:on', 'mark:!=', 'literal:true', 'keyword:OR', 'name:x', 'mark:<=', 'literal:null',
    ]);
  });

  it('refuses an unterminated string at its quote, an unknown escape at its backslash, and an unknown character where it is', () => {
    expect(problemOf("T.x = 'open", DIGITAL_TWINS_QUERY)).toEqual({ reason: 'unterminatedString', at: 6 });
    expect(problemOf("T.x = 'a\\n'", DIGITAL_TWINS_QUERY)).toEqual({ reason: 'invalidEscape', at: 8 });
    expect(problemOf("T.x = 'ends in a backslash\\", DIGITAL_TWINS_QUERY)).toEqual({ reason: 'invalidEscape', at: 26 });
    expect(problemOf('T.x = "a"', DIGITAL_TWINS_QUERY)).toEqual({ reason: 'unexpectedCharacter', at: 6 });
    expect(problemOf('T.x ; 1', DIGITAL_TWINS_QUERY)).toEqual({ reason: 'unexpectedCharacter', at: 4 });
  });
});

describe('queryTokenizer: IoT Hub', () => {
  it('reads a dotted property path as one name, $ anywhere in a segment, and keywords in any case', () => {
    expect(shapes("Select * from devices Where tags.owner.$id = 'a' and (tags.x<>'b' Or tags.y = 'c')", IOT_HUB_QUERY)).toEqual([
      'keyword:SELECT', 'mark:*', 'keyword:FROM', 'name:devices', 'keyword:WHERE', 'name:tags.owner.$id', 'mark:=', 'string:a',
      'keyword:AND', 'mark:(', 'name:tags.x', 'mark:<>', 'string:b', 'keyword:OR', 'name:tags.y', 'mark:=', 'string:c', 'mark:)',
    ]);
  });

  it('reads IN and an array literal of strings', () => {
    expect(shapes("tags.owner in ['a', 'b']", IOT_HUB_QUERY)).toEqual(['name:tags.owner', 'keyword:IN', 'mark:[', 'string:a', 'mark:,', 'string:b', 'mark:]']);
  });

  it('unescapes \\\' and \\\\ inside a string', () => {
    expect(shapes("tags.owner = 'x\\' OR 1=1 OR \\\\'", IOT_HUB_QUERY)).toEqual(['name:tags.owner', 'mark:=', "string:x' OR 1=1 OR \\"]);
  });

  it('reads numbers, booleans, null and arithmetic and comparison operators', () => {
    expect(shapes('tags.a = -1 OR tags.b >= 2e3 OR tags.c = false OR tags.d != NULL', IOT_HUB_QUERY)).toEqual([
      'name:tags.a', 'mark:=', 'mark:-', 'number:1', 'keyword:OR', 'name:tags.b', 'mark:>=', 'number:2000', 'keyword:OR',
      'name:tags.c', 'mark:=', 'literal:false', 'keyword:OR', 'name:tags.d', 'mark:!=', 'literal:null',
    ]);
  });

  it('ends a path at a dot no name follows, and refuses that dot as an unknown character', () => {
    expect(problemOf("tags. = 'a'", IOT_HUB_QUERY)).toEqual({ reason: 'unexpectedCharacter', at: 4 });
    expect(problemOf("tags.owner = 'open", IOT_HUB_QUERY)).toEqual({ reason: 'unterminatedString', at: 13 });
    expect(problemOf("tags.owner = 'a\\n'", IOT_HUB_QUERY)).toEqual({ reason: 'invalidEscape', at: 15 });
  });
});

describe('queryTokenizer: OData $filter', () => {
  it("reads a doubled quote as one quote, and a backslash as itself", () => {
    expect(shapes("mail eq 'O''Brien' or mail eq 'x'' or mail eq ''a\\'", ODATA_FILTER)).toEqual([
      'name:mail', 'name:eq', "string:O'Brien", 'name:or', 'name:mail', 'name:eq', "string:x' or mail eq 'a\\",
    ]);
    expect(shapes("mail eq ''", ODATA_FILTER)).toEqual(['name:mail', 'name:eq', 'string:']);
  });

  it('keeps operators as case-sensitive names, and reads functions, bare GUIDs, numbers and booleans', () => {
    expect(shapes('atScope() and principalId EQ 6f1c2b3a-0d4e-4f5a-8b6c-7d8e9f0a1b2c or n gt 10 or b eq true', ODATA_FILTER)).toEqual([
      'name:atScope', 'mark:(', 'mark:)', 'name:and', 'name:principalId', 'name:EQ', 'guid:6f1c2b3a-0d4e-4f5a-8b6c-7d8e9f0a1b2c',
      'name:or', 'name:n', 'name:gt', 'number:10', 'name:or', 'name:b', 'name:eq', 'literal:true',
    ]);
  });

  it('refuses an unterminated string, and characters OData has no token for', () => {
    expect(problemOf("mail eq 'x", ODATA_FILTER)).toEqual({ reason: 'unterminatedString', at: 8 });
    expect(problemOf("mail eq 'x''", ODATA_FILTER)).toEqual({ reason: 'unterminatedString', at: 8 });
    expect(problemOf("mail = 'x'", ODATA_FILTER)).toEqual({ reason: 'unexpectedCharacter', at: 5 });
    expect(problemOf('mail eq "x"', ODATA_FILTER)).toEqual({ reason: 'unexpectedCharacter', at: 8 });
  });
});
