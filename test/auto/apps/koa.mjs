// Koa 3 with @koa/router, ES module, no promwire code.
import Koa from 'koa';
import Router from '@koa/router';

const app = new Koa();
app.silent = true;
const router = new Router();
router.get('/users/:id', (ctx) => {
  ctx.body = { id: ctx.params.id };
});
router.get('/boom', () => {
  throw new Error('boom');
});
router.get('/slow', () => {
  console.log('slow request');
  return new Promise(() => {});
});
app.use(router.routes());
const server = app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
