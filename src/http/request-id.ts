import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';

declare module 'express-serve-static-core' {
  interface Request {
    /** Correlation id: the caller's X-Request-Id when well-formed, else a new UUID. */
    id: string;
  }
}

// Only ids that cannot smuggle log-injection or personal data are taken over from the caller.
const SAFE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function requestId() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const given = req.get('x-request-id');
    req.id = given !== undefined && SAFE_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    next();
  };
}
