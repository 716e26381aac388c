import type { ServiceFailure } from './stepSummaries';
import { ServiceName } from './types';

/** A failure as approvers see it: service, status and code, never the service's own text (it may quote personal values). */
export function describeFailure(service: ServiceName, error: unknown): ServiceFailure {
  const e = (error ?? {}) as { code?: string; name?: string };
  const status = statusCodeOf(error);
  if (status) return { service, kind: 'status', status, ...(e.code && { code: e.code }) };
  if (e.name === 'AbortError' || e.name === 'TimeoutError' || e.code === 'ETIMEDOUT') return { service, kind: 'timeout' };
  return { service, kind: 'unexpected', code: e.code ?? e.name ?? 'error' };
}

/** A failure's facts for an audit entry: its kind, status and code (the service is named beside them). */
export function failureAuditFields(failure: ServiceFailure): Record<string, string | number> {
  return { failure: failure.kind, ...(failure.status && { status: failure.status }), ...(failure.code && { errorCode: failure.code }) };
}

type ErrorWithStatus = { statusCode?: unknown; status?: unknown; response?: { status?: unknown; statusCode?: unknown } } | null | undefined;

/**
 * The HTTP status an SDK error carries, if any: Azure's RestError and GraphError say `statusCode`,
 * fetch-style errors `status`, azure-iothub's errors keep it on their `response`.
 */
export function statusCodeOf(error: unknown): number | undefined {
  const e = error as ErrorWithStatus;
  const candidates = [e?.statusCode, e?.status, e?.response?.status, e?.response?.statusCode];
  return candidates.find((value): value is number => typeof value === 'number' && value >= 100 && value <= 599);
}

/** Just the kind of an error, for log lines. */
export function errorCode(error: unknown): string {
  const e = (error ?? {}) as { code?: string; name?: string };
  return [e.name, statusCodeOf(error), e.code].filter(Boolean).join(' ');
}
