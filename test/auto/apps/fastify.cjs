// Fastify (5, or 4 with FASTIFY=fastify4), CommonJS, no promwire code.
const Fastify = require(process.env.FASTIFY || 'fastify');

const app = Fastify();
app.register(async (users) => {
  users.get('/:id', async (request) => ({ id: request.params.id }));
}, { prefix: '/users' });
app.get('/boom', async () => {
  throw new Error('boom');
});
app.get('/slow', () => {
  console.log('slow request');
  return new Promise(() => {});
});
app.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' }).then(() => {
  console.log(`listening on http://127.0.0.1:${app.server.address().port}`);
});
