import { QueryValueRefused, propertyPath, quotedString } from '../../src/adapters/queryLiteral';

describe('quotedString', () => {
  it('quotes plain values as they are', () => {
    expect(quotedString('e2000000-0000-4000-8000-000000000011')).toBe("'e2000000-0000-4000-8000-000000000011'");
  });

  it("escapes quotes as Azure's query languages want ('D\\'Souza')", () => {
    expect(quotedString("D'Souza")).toBe("'D\\'Souza'");
  });

  it('keeps an injection attempt inside one literal', () => {
    const literal = quotedString("x' OR 1=1 OR T.$dtId != '");
    expect(literal).toBe("'x\\' OR 1=1 OR T.$dtId != \\''");
    // Every quote inside is escaped: only the outer two are bare.
    expect(literal.replace(/\\./g, '').split("'")).toHaveLength(3);
  });

  it('escapes a backslash so it cannot escape the closing quote', () => {
    expect(quotedString('a\\')).toBe("'a\\\\'");
    expect(quotedString("a\\' OR 1=1")).toBe("'a\\\\\\' OR 1=1'");
  });

  it('refuses control characters and over-long values', () => {
    expect(() => quotedString('a\nb')).toThrow(QueryValueRefused);
    expect(() => quotedString('a\u2028b')).toThrow(QueryValueRefused);
    expect(() => quotedString('a'.repeat(513))).toThrow(QueryValueRefused);
  });
});

describe('propertyPath', () => {
  it('accepts dotted identifiers', () => {
    expect(propertyPath('ownerId')).toBe('ownerId');
    expect(propertyPath('externalIds.entra')).toBe('externalIds.entra');
    expect(propertyPath('tags.owner_id')).toBe('tags.owner_id');
  });

  it('refuses anything else', () => {
    for (const bad of ['', 'a b', "owner' OR 1=1", 'a..b', '1abc', 'a.', 'a[0]', 'T.$dtId']) {
      expect(() => propertyPath(bad)).toThrow(QueryValueRefused);
    }
  });
});
