'use strict';
// A small Fastify service instrumented with @promwire/fastify: a users plugin mounted under
// the prefixes /api and /v1, a slow route and a failing route. PORT (default 3000; 0 picks a
// free one) and HOST (default 127.0.0.1) choose where it listens.
const Fastify = require('fastify');
const { metrics } = require('@promwire/fastify');

async function users(app) {
  app.get('/users/:id', async (request) => ({ id: request.params.id, name: `user ${request.params.id}` }));
  app.post('/users', async (request, reply) => reply.code(201).send({ created: true, ...request.body }));
}

async function v1(app) {
  await app.register(users);
}

async function api(app) {
  await app.register(v1, { prefix: '/v1' });
}

async function createApp() {
  const app = Fastify();
  await app.register(metrics);
  await app.register(api, { prefix: '/api' });

  app.get('/slow', async () => {
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.floor(Math.random() * 100)));
    return 'done\n';
  });
  app.get('/error', async () => {
    throw new Error('this route always fails');
  });
  app.get('/health', async () => 'ok\n');
  return app;
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? '127.0.0.1';
  createApp()
    .then(async (app) => {
      await app.listen({ port, host });
      const base = `http://${host}:${app.server.address().port}`;
      console.log(`listening on ${base}`);
      console.log(`  try:     ${base}/api/v1/users/42   ${base}/slow   ${base}/error`);
      console.log(`  metrics: ${base}/metrics`);
      // Fastify answers a thrown error with 500 itself; its logger is off here.
      const stop = () => app.close().then(() => process.exit(0));
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    })
    .catch((error) => {
      if (error.code === 'EADDRINUSE') cannotListen(error, host, port);
      console.error(error);
      process.exit(1);
    });
}

/** One line when the port cannot be bound: which address, why, and the PORT variable that changes it. */
function cannotListen(error, host, port) {
  const why = error.code === 'EADDRINUSE' ? 'the port is in use' : error.message;
  console.error(`cannot listen on ${host}:${port}: ${why}; choose another port with PORT (PORT=0 picks a free one)`);
  process.exit(1);
}

module.exports = { createApp };
