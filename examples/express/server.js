'use strict';
// A small Express service instrumented with @promwire/express: two routers, a parameterised
// route, a slow route and a failing route. PORT (default 3000; 0 picks a free one) and HOST
// (default 127.0.0.1) choose where it listens.
const express = require('express');
const { metrics } = require('@promwire/express');

function createApp() {
  const app = express();
  app.use(metrics());
  app.use(express.json());

  const users = express.Router();
  users.get('/:id', (req, res) => res.json({ id: req.params.id, name: `user ${req.params.id}` }));
  users.post('/', (req, res) => res.status(201).json({ created: true, ...req.body }));

  const v1 = express.Router();
  v1.use('/users', users);
  app.use('/api/v1', v1);

  app.get('/slow', (req, res) => {
    setTimeout(() => res.send('done\n'), 50 + Math.floor(Math.random() * 100));
  });
  app.get('/error', () => {
    throw new Error('this route always fails');
  });
  app.get('/health', (req, res) => res.send('ok\n'));
  return app;
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? '127.0.0.1';
  // Express 5 passes a listen error to the callback, Express 4 emits it on the server.
  const server = createApp().listen(port, host, (error) => {
    if (error) return cannotListen(error, host, port);
    const { port: actual } = server.address();
    const base = `http://${host}:${actual}`;
    console.log(`listening on ${base}`);
    console.log(`  try:     ${base}/api/v1/users/42   ${base}/slow   ${base}/error`);
    console.log(`  metrics: ${base}/metrics`);
  });
  server.on('error', (error) => cannotListen(error, host, port));
  // Express 5 passes uncaught errors to its default handler, which answers 500 and logs them.
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
