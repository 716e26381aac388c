import { StreamedArray } from '../dsr';

const STEP = '  ';

/**
 * The JSON text of an export file's content in pieces, exactly as `JSON.stringify(value, null, 2)`
 * writes the value with every {@link StreamedArray} in it replaced by the array of its items. A
 * streamed array's items are read one at a time, as the writer asks for more text: only the item
 * being written is held. A part without a streamed array is written by `JSON.stringify` itself.
 */
export async function* jsonPieces(value: unknown, indent = ''): AsyncGenerator<string> {
  if (value instanceof StreamedArray) {
    yield* arrayPieces(value, indent);
  } else if (!holdsStream(value)) {
    // JSON.stringify indents nested lines from column 0; here the value starts at `indent`. Strings
    // in JSON text never hold a raw line break, so every '\n' is between two lines of structure.
    yield (JSON.stringify(value, null, 2) ?? 'null').replace(/\n/g, `\n${indent}`);
  } else if (Array.isArray(value)) {
    yield* arrayPieces(value, indent);
  } else {
    const inner = indent + STEP;
    let first = true;
    for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
      // As JSON.stringify: members whose value has no JSON form are left out.
      if (field === undefined || typeof field === 'function' || typeof field === 'symbol') continue;
      yield `${first ? '{' : ','}\n${inner}${JSON.stringify(key)}: `;
      first = false;
      yield* jsonPieces(field, inner);
    }
    yield first ? '{}' : `\n${indent}}`;
  }
}

async function* arrayPieces(items: AsyncIterable<unknown> | Iterable<unknown>, indent: string): AsyncGenerator<string> {
  const inner = indent + STEP;
  let first = true;
  for await (const item of items) {
    yield `${first ? '[' : ','}\n${inner}`;
    first = false;
    // As JSON.stringify: an item without a JSON form is written as null.
    yield* jsonPieces(item === undefined || typeof item === 'function' || typeof item === 'symbol' ? null : item, inner);
  }
  yield first ? '[]' : `\n${indent}]`;
}

/** Whether a streamed array sits somewhere inside plain objects and arrays (not behind a toJSON). */
function holdsStream(value: unknown, seen = new Set<object>()): boolean {
  if (value instanceof StreamedArray) return true;
  if (typeof value !== 'object' || value === null || seen.has(value)) return false;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  seen.add(value);
  const children = Array.isArray(value) ? value : Object.values(value);
  return children.some((child) => holdsStream(child, seen));
}
