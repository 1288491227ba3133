// Koa (3 with @koa/router, or 2 with koa-router: KOA=koa2 ROUTER=koa-router), CommonJS, no promwire code.
const Koa = require(process.env.KOA || 'koa');
const RouterModule = require(process.env.ROUTER || '@koa/router');
const Router = RouterModule.Router ?? RouterModule;

const app = new Koa();
app.silent = true;
const router = new Router();
const users = new Router({ prefix: '/users' });
users.get('/:id', (ctx) => {
  ctx.body = { id: ctx.params.id };
});
router.use(users.routes());
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
