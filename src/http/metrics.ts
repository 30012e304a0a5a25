/**
 * Prometheus metrics (prom-client). One registry per app instance so tests and multiple apps in one
 * process do not collide. Labels never carry personal data: route templates, status codes, codes.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  errors: Counter<'code'>;
  storeUp: Gauge;
  /** Audit records the store did not take (src/audit/audit-log.ts, AUDIT_WRITE_FAILED): alert on any increase. */
  auditWriteFailures: Counter;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'neid_' });
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'neid_http_request_duration_seconds',
      help: 'HTTP request duration by route template and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    errors: new Counter({ name: 'neid_errors_total', help: 'Errors by stable error code', labelNames: ['code'] as const, registers: [registry] }),
    storeUp: new Gauge({ name: 'neid_store_up', help: '1 when the session store answered the last readiness probe', registers: [registry] }),
    auditWriteFailures: new Counter({ name: 'neid_audit_write_failures_total', help: 'Audit records that could not be appended to the audit stream (logged with AUDIT_WRITE_FAILED)', registers: [registry] }),
  };
}
