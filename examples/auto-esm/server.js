// An ordinary Fastify service, an ES module: not one line about metrics. Run it under the preload:
//   node --import @promwire/auto/register server.js
import Fastify from 'fastify';

const app = Fastify();
const books = new Map([['1', { id: '1', title: 'Site Reliability Engineering' }]]);

app.get('/health', async () => 'ok');
app.get('/books/:id', async (request, reply) => {
  const book = books.get(request.params.id);
  if (book === undefined) return reply.code(404).send({ error: 'no such book' });
  return book;
});

await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' });
console.log(`listening on http://127.0.0.1:${app.server.address().port}`);
