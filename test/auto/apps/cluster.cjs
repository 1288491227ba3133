// A cluster of 2 Express workers sharing one port, CommonJS, no promwire code.
const cluster = require('node:cluster');

if (cluster.isPrimary) {
  for (let i = 0; i < 2; i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers)) worker.kill();
    process.exit(0);
  });
} else {
  const express = require('express');
  const app = express();
  app.get('/users/:id', (req, res) => res.json({ id: req.params.id, worker: cluster.worker.id }));
  const server = app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
    console.log(`worker ${cluster.worker.id} listening on http://127.0.0.1:${server.address().port}`);
  });
}
