// Fastify 5, ES module, no promwire code.
import Fastify from 'fastify';

const app = Fastify();
app.get('/users/:id', async (request) => ({ id: request.params.id }));
app.get('/boom', async () => {
  throw new Error('boom');
});
app.get('/slow', () => {
  console.log('slow request');
  return new Promise(() => {});
});
await app.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' });
console.log(`listening on http://127.0.0.1:${app.server.address().port}`);
