import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../shared/logger.js';
import type { Metrics } from './metrics.js';

/**
 * One log line and one histogram sample per request. Logs the route template, never the query string
 * (SAMLRequest, codes and tokens travel there).
 */
export function accessLog(logger: Logger, metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const route = routeTemplate(req);
      metrics.httpRequestDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      if (route === '/healthz' || route === '/metrics') return;
      logger.info({ reqId: req.id, method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'http');
    });
    next();
  };
}

function routeTemplate(req: Request): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof route === 'string') return `${req.baseUrl}${route}`;
  return 'unmatched';
}
