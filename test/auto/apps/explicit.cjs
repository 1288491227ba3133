// An Express app that also uses promwire's own adapter, with options of its own (a route
// label of its own, a skip): under the preload, every request is counted once, by this adapter.
const express = require('express');
const { metrics } = require('@promwire/express');

console.log(`adapter from ${require.resolve('@promwire/express')}`);

const app = express();
app.use(metrics({
  getRoute: (req) => `explicit ${req.route?.path ?? 'none'}`,
  skip: (req) => req.url === '/skipped',
}));
app.get('/users/:id', (req, res) => res.json({ id: req.params.id }));
app.get('/skipped', (req, res) => res.send('not counted'));
const server = app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
