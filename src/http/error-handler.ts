/**
 * The one place where an error becomes a plain HTTP response. Protocol fronts (SAML, OIDC, PAOS, SOAP)
 * translate their own errors before they get here; this handler covers everything else.
 * Never echoes input; messages of non-exposed codes are replaced by a generic text.
 */
import type { NextFunction, Request, Response } from 'express';
import { catalogEntry, IdpError, toIdpError } from '../errors/index.js';
import type { Logger } from '../shared/logger.js';
import type { Metrics } from './metrics.js';

/** Maps errors raised by express/body-parser (which carry `type` and `status`) to our codes. */
function fromFramework(err: unknown): IdpError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { type, status } = err as { type?: unknown; status?: unknown };
  if (type === 'entity.too.large') return new IdpError('HTTP_BODY_TOO_LARGE', 'request body too large', { cause: err });
  if (type === 'entity.parse.failed' || type === 'encoding.unsupported' || type === 'charset.unsupported' || type === 'entity.verify.failed') {
    return new IdpError('HTTP_BAD_REQUEST', 'request body could not be parsed', { cause: err });
  }
  if (status === 415) return new IdpError('HTTP_UNSUPPORTED_MEDIA_TYPE', 'unsupported content type', { cause: err });
  if (status === 400) return new IdpError('HTTP_BAD_REQUEST', 'bad request', { cause: err });
  return undefined;
}

export function errorHandler(logger: Logger, metrics: Metrics) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    const error = fromFramework(err) ?? toIdpError(err);
    const entry = catalogEntry(error.code);
    metrics.errors.inc({ code: error.code });
    const level = entry.http >= 500 ? 'error' : 'warn';
    logger[level]({ reqId: req.id, code: error.code, err: entry.http >= 500 ? error : undefined }, 'request failed');
    if (res.headersSent) {
      next(err);
      return;
    }
    const message = entry.expose ? error.message : entry.http >= 500 ? 'internal error' : 'request refused';
    res.status(entry.http).type('application/json').json({ error: error.code, message, requestId: req.id });
  };
}

export function notFound() {
  return (req: Request, _res: Response, next: NextFunction): void => {
    next(new IdpError('HTTP_NOT_FOUND', `no route for ${req.method} ${req.path.slice(0, 200)}`));
  };
}
