// An ordinary Express service: not one line about metrics. Run it under the preload:
//   node --require @promwire/auto/register server.js
const express = require('express');

const app = express();
const orders = new Map([['1', { id: '1', item: 'coffee' }]]);

app.get('/health', (_req, res) => res.send('ok'));
app.get('/orders/:id', (req, res) => {
  const order = orders.get(req.params.id);
  if (order === undefined) return void res.status(404).json({ error: 'no such order' });
  res.json(order);
});
app.post('/orders', express.json(), (req, res) => {
  const id = String(orders.size + 1);
  orders.set(id, { id, item: String(req.body?.item ?? 'unknown') });
  res.status(201).json(orders.get(id));
});

const port = Number(process.env.PORT ?? 3000);
const server = app.listen(port, process.env.HOST ?? '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
