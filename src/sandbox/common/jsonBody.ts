import type { IncomingMessage } from 'node:http';
import { SandboxHttpError } from './sandboxHttpError';

/**
 * Reads and parses a JSON request body, refusing more than `maxBytes`.
 * @returns the parsed value, or `undefined` for an empty body.
 * @throws SandboxHttpError 413 when too large, 400 when not JSON.
 */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw tooLarge(maxBytes);
  }
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SandboxHttpError(400, 'The request body is not valid JSON.');
  }
}

function tooLarge(maxBytes: number): SandboxHttpError {
  return new SandboxHttpError(413, `The request body is larger than ${maxBytes} bytes.`);
}
