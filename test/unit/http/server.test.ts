import assert from 'node:assert/strict';
import express from 'express';
import { boundPort, closeGracefully, listen } from '../../../src/http/server.js';

describe('http/server graceful shutdown', () => {
  it('lets an in-flight request finish, then refuses new connections', async () => {
    const app = express();
    app.get('/slow', (_req, res) => { setTimeout(() => res.send('done'), 300); });
    const server = await listen(app, { host: '127.0.0.1', port: 0, requestTimeoutMs: 5000, keepAliveTimeoutMs: 1000 });
    const port = boundPort(server);
    const inflight = fetch(`http://127.0.0.1:${port}/slow`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 50));
    const closing = closeGracefully(server, 5000);
    assert.equal(await inflight, 'done');
    await closing;
    await assert.rejects(fetch(`http://127.0.0.1:${port}/slow`));
  });

  it('cuts requests that outlive the grace period', async () => {
    const app = express();
    app.get('/stuck', () => undefined);
    const server = await listen(app, { host: '127.0.0.1', port: 0, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 1000 });
    const stuck = fetch(`http://127.0.0.1:${boundPort(server)}/stuck`).catch((err: unknown) => err);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await closeGracefully(server, 200);
    assert.ok(Date.now() - started < 2000);
    assert.ok((await stuck) instanceof Error);
  });
});
