import { SERVICE_LABELS, ServiceName } from './types';

/** A failure as approvers see it: service, status and code, never the service's own text (it may quote personal values). */
export function describeFailure(service: ServiceName, error: unknown): string {
  const e = (error ?? {}) as { statusCode?: number; code?: string; name?: string };
  const label = SERVICE_LABELS[service];
  if (e.statusCode) return `${label} answered ${e.statusCode}${e.code ? ` (${e.code})` : ''}`;
  if (e.name === 'AbortError' || e.name === 'TimeoutError' || e.code === 'ETIMEDOUT') return `${label} did not answer in time`;
  return `${label} failed unexpectedly (${e.code ?? e.name ?? 'error'})`;
}

/** The HTTP status an SDK error carries (Azure RestError, GraphError), if any. */
export function statusCodeOf(error: unknown): number | undefined {
  return (error as { statusCode?: number } | null | undefined)?.statusCode;
}

/** Just the kind of an error, for log lines. */
export function errorCode(error: unknown): string {
  const e = (error ?? {}) as { statusCode?: number; code?: string; name?: string };
  return [e.name, e.statusCode, e.code].filter(Boolean).join(' ');
}
