// An OpenAI-compatible app on Fastify 5, ES module, no promwire code: the GenAI tests' fake
// handler behind /v1/chat/completions and /v1/embeddings, streams sent through reply.send.
import Fastify from 'fastify';
import fake from '../../helpers/fake-openai-server.cjs';

const app = Fastify();
const handler = async (request, reply) => {
  const answer = fake.fakeAnswer(request.url, request.body);
  if (answer.json !== undefined) return reply.code(answer.status).send(answer.json);
  return reply.code(answer.status).type(answer.contentType).send(fake.streamBody(answer));
};
app.post('/v1/chat/completions', handler);
app.post('/v1/embeddings', handler);
const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' });
console.log(`listening on ${address}`);
