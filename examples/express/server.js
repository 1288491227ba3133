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
  const server = createApp().listen(port, host, () => {
    const { port: actual } = server.address();
    const base = `http://${host}:${actual}`;
    console.log(`listening on ${base}`);
    console.log(`  try:     ${base}/api/v1/users/42   ${base}/slow   ${base}/error`);
    console.log(`  metrics: ${base}/metrics`);
  });
  // Express 5 passes uncaught errors to its default handler, which answers 500 and logs them.
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

module.exports = { createApp };
