import pino from 'pino';
import { Logger } from './dsr';

/**
 * Structured JSON logs. Call sites pass request ids and counts only; the redaction below is a
 * second net for fields that must never be written even by mistake.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger & pino.Logger {
  return pino(
    {
      level,
      base: { app: 'dsr-bot' },
      redact: {
        paths: ['subject', 'email', 'upn', 'displayName', 'name', 'text', '*.subject', '*.email', '*.upn', '*.displayName', '*.aadObjectId'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
