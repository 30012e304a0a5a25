/**
 * Liveness and readiness. /healthz answers as long as the process serves HTTP; /readyz also requires
 * the session store to answer within readiness.storeTimeoutMs (a load balancer then stops sending
 * logins to a node that cannot keep state).
 */
import { Router } from 'express';
import type { Store } from '../session/store/store.js';
import type { Metrics } from './metrics.js';

export function healthRouter(deps: { store: Store; metrics: Metrics; storeTimeoutMs: number; isShuttingDown: () => boolean }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (deps.isShuttingDown()) {
      res.status(503).json({ status: 'shutting-down' });
      return;
    }
    const ok = await withTimeout(deps.store.ping(), deps.storeTimeoutMs).then(() => true, () => false);
    deps.metrics.storeUp.set(ok ? 1 : 0);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'store-unavailable', store: deps.store.kind });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
