// An OpenAI-compatible app on Koa 3 with @koa/router, CommonJS, no promwire code: the GenAI
// tests' fake handler behind /v1/chat/completions and /v1/embeddings, after a small JSON body
// parser that sets ctx.request.body as @koa/bodyparser does; streams as a body Koa pipes.
const Koa = require('koa');
const RouterModule = require('@koa/router');
const { fakeAnswer, streamBody } = require('../../helpers/fake-openai-server.cjs');

const Router = RouterModule.Router ?? RouterModule;
const app = new Koa();
app.use(async (ctx, next) => {
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  let body;
  try {
    body = chunks.length === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    ctx.throw(400, 'invalid JSON body'); // as @koa/bodyparser answers a body that is not JSON
  }
  ctx.request.body = body;
  await next();
});
const router = new Router();
const handler = (ctx) => {
  const answer = fakeAnswer(ctx.path, ctx.request.body);
  ctx.status = answer.status;
  ctx.type = answer.contentType;
  ctx.body = answer.json !== undefined ? answer.json : streamBody(answer);
};
router.post('/v1/chat/completions', handler);
router.post('/v1/embeddings', handler);
app.use(router.routes());
const server = app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
