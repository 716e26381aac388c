import { subscribe } from 'node:diagnostics_channel';
import { shutdownAzureMonitor, useAzureMonitor } from '@azure/monitor-opentelemetry';
import { Context, Span as ApiSpan, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Attributes, scrubAttributes, scrubSpanName } from './telemetryScrub';

/**
 * Scrubs each span as it ends, before the exporter's batch takes it (the distro runs the span
 * processors it is given ahead of its own batch processor): the span's name, its attributes and
 * its events' attributes are replaced in place by what telemetryScrub.ts lets through.
 */
class ScrubbingSpanProcessor implements SpanProcessor {
  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    const writable = span as { -readonly [K in keyof ReadableSpan]: ReadableSpan[K] };
    writable.name = scrubSpanName(span.name);
    replaceAttributes(span.attributes as Attributes);
    for (const event of span.events) if (event.attributes) replaceAttributes(event.attributes as Attributes);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function replaceAttributes(attributes: Attributes): void {
  const scrubbed = scrubAttributes(attributes);
  for (const key of Object.keys(attributes)) delete attributes[key];
  Object.assign(attributes, scrubbed);
}

/** What Node's fetch (undici) publishes of a request on its diagnostics channels. */
interface UndiciRequest {
  origin: string;
  method: string;
  path: string;
}

/**
 * Client spans for calls made with Node's global fetch (the Graph client's), which the distro's
 * HTTP instrumentation does not see: built from undici's diagnostics channels, scrubbed like any span.
 */
function traceFetchCalls(): void {
  const tracer = trace.getTracer('dsr-bot-fetch');
  const spans = new WeakMap<UndiciRequest, ApiSpan>();
  subscribe('undici:request:create', (message) => {
    const { request } = message as { request: UndiciRequest };
    const url = new URL(request.path, request.origin);
    spans.set(request, tracer.startSpan(`${request.method}`, {
      kind: SpanKind.CLIENT,
      attributes: { 'http.request.method': request.method, 'url.full': url.href, 'server.address': url.hostname, 'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)) },
    }));
  });
  subscribe('undici:request:headers', (message) => {
    const { request, response } = message as { request: UndiciRequest; response: { statusCode: number } };
    const span = spans.get(request);
    if (!span) return;
    span.setAttribute('http.response.status_code', response.statusCode);
    if (response.statusCode >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    spans.delete(request);
  });
  subscribe('undici:request:error', (message) => {
    const { request } = message as { request: UndiciRequest };
    spans.get(request)?.setStatus({ code: SpanStatusCode.ERROR });
    spans.get(request)?.end();
    spans.delete(request);
  });
}

/** Whether startTelemetry started the distro in this process. */
let started = false;

/**
 * Starts the bot's own telemetry (Azure Monitor OpenTelemetry distro) when
 * APPLICATIONINSIGHTS_CONNECTION_STRING is set: requests served, calls made (HTTP, Azure SDK and
 * fetch) and standard metrics, every span scrubbed of personal data. Log instrumentations stay off
 * (the bot's logs are pino's, redacted, on stdout), and so do live metrics, which would stream
 * unscrubbed documents. Call before any module that makes HTTP calls is loaded: the
 * instrumentation patches modules as they load. Returns whether it started.
 */
export function startTelemetry(env: NodeJS.ProcessEnv): boolean {
  const connectionString = env.APPLICATIONINSIGHTS_CONNECTION_STRING;
  if (!connectionString) return false;
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString },
    enableLiveMetrics: false,
    // Every trace, not 5 a second: the bot's traffic is small, and a sampled-out call is a call no one can follow.
    samplingRatio: 1,
    tracesPerSecond: 0,
    spanProcessors: [new ScrubbingSpanProcessor()],
    instrumentationOptions: {
      http: { enabled: true },
      azureSdk: { enabled: true },
      console: { enabled: false },
      bunyan: { enabled: false },
      winston: { enabled: false },
      mongoDb: { enabled: false },
      mySql: { enabled: false },
      postgreSql: { enabled: false },
      redis: { enabled: false },
      redis4: { enabled: false },
    },
  });
  traceFetchCalls();
  started = true;
  return true;
}

/** Sends what is still batched and stops; harmless when telemetry never started. Called while draining. */
export async function stopTelemetry(): Promise<void> {
  if (started) await shutdownAzureMonitor();
}
