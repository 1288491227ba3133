'use strict';
// A small Koa service instrumented with @promwire/koa: nested routers with a prefix, a
// parameterised route, a slow route and a failing route. PORT (default 3000; 0 picks a free
// one) and HOST (default 127.0.0.1) choose where it listens.
const Koa = require('koa');
const { Router } = require('@koa/router');
const { metrics } = require('@promwire/koa');

/** The request body parsed as JSON ({} when empty); at most 64 KiB, else 413. */
async function readJson(ctx) {
  let size = 0;
  const chunks = [];
  for await (const chunk of ctx.req) {
    size += chunk.length;
    if (size > 64 * 1024) ctx.throw(413, 'body too large');
    chunks.push(chunk);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    ctx.throw(400, 'body is not JSON');
  }
}

function createApp() {
  const app = new Koa();
  app.use(metrics());

  const users = new Router();
  users.get('/:id', (ctx) => {
    ctx.body = { id: ctx.params.id, name: `user ${ctx.params.id}` };
  });
  users.post('/', async (ctx) => {
    const body = await readJson(ctx);
    ctx.status = 201;
    ctx.body = { created: true, ...body };
  });

  const v1 = new Router();
  v1.use('/users', users.routes(), users.allowedMethods());
  const api = new Router({ prefix: '/api' });
  api.use('/v1', v1.routes(), v1.allowedMethods());
  app.use(api.routes());

  const root = new Router();
  root.get('/slow', async (ctx) => {
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.floor(Math.random() * 100)));
    ctx.body = 'done\n';
  });
  root.get('/error', () => {
    throw new Error('this route always fails');
  });
  root.get('/health', (ctx) => {
    ctx.body = 'ok\n';
  });
  app.use(root.routes());

  // Koa answers a thrown error with 500 (or the error's status); log it on one line.
  app.on('error', (err, ctx) => console.error(`${ctx ? `${ctx.method} ${ctx.path}` : 'error'}: ${err.message}`));
  return app;
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? '127.0.0.1';
  const server = createApp().listen(port, host, () => {
    const { port: actual } = server.address();
    const base = `http://${host}:${actual}`;
    console.log(`listening on ${base}`);
    console.log(`  try:     ${base}/api/v1/users/42   ${base}/slow   ${base}/error`);
    console.log(`  metrics: ${base}/metrics`);
  });
  server.on('error', (error) => cannotListen(error, host, port));
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** One line when the port cannot be bound: which address, why, and the PORT variable that changes it. */
function cannotListen(error, host, port) {
  const why = error.code === 'EADDRINUSE' ? 'the port is in use' : error.message;
  console.error(`cannot listen on ${host}:${port}: ${why}; choose another port with PORT (PORT=0 picks a free one)`);
  process.exit(1);
}

module.exports = { createApp };
