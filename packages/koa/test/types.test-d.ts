/** Type tests of @promwire/koa, checked by `npx tsc -p tsconfig.typetest.json`. */
import Koa, { type DefaultContext, type DefaultState, type Middleware, type ParameterizedContext } from 'koa';
import { Router, type RouterContext } from '@koa/router';
import { Registry } from 'prom-client';
import { expectTypeOf } from 'expect-type';
import { metrics, routeTemplate, type KoaMetricsOptions } from '../src';

interface AppState {
  user: { id: string; tenant: string };
}
interface AppContext {
  requestId: string;
}

// No options: Koa's default middleware, usable on any app.
expectTypeOf(metrics()).toEqualTypeOf<Middleware<DefaultState, DefaultContext>>();
new Koa().use(metrics());
new Koa<AppState, AppContext>().use(metrics());

// Callbacks receive the Koa context; with the app's state and context as type arguments they are typed.
const typed = metrics<AppState, AppContext>({
  registry: new Registry(),
  labels: {
    tenant: (ctx) => {
      expectTypeOf(ctx).toEqualTypeOf<ParameterizedContext<AppState, AppContext>>();
      expectTypeOf(ctx.state.user.tenant).toEqualTypeOf<string>();
      expectTypeOf(ctx.requestId).toEqualTypeOf<string>();
      return ctx.state.user.tenant;
    },
    region: 'eu-west-1',
  },
  skip: (ctx) => ctx.path === '/health',
  getRoute: (ctx) => {
    expectTypeOf(ctx).toEqualTypeOf<ParameterizedContext<AppState, AppContext>>();
    return routeTemplate(ctx) ?? ctx.state.user.id;
  },
});
expectTypeOf(typed).toEqualTypeOf<Middleware<AppState, AppContext>>();
new Koa<AppState, AppContext>().use(typed);

// Options the shared type allows.
const options: KoaMetricsOptions = {
  path: false,
  auth: { bearer: 'token' },
  prefix: 'myapp_',
  naming: 'otel',
  responseSize: true,
  exclude: ['/health', /^\/internal\//],
};
metrics(options);
metrics({ path: '/internal/metrics', auth: { basic: { username: 'u', password: 'p' } } });
metrics({ auth: (req) => req.headers.authorization === 'Bearer t' });

// routeTemplate takes any Koa context, including @koa/router's, and may find no route.
expectTypeOf(routeTemplate).parameter(0).toEqualTypeOf<Koa.Context>();
expectTypeOf(routeTemplate).returns.toEqualTypeOf<string | undefined>();
const router = new Router();
router.get('/users/:id', (ctx: RouterContext) => {
  expectTypeOf(routeTemplate(ctx)).toEqualTypeOf<string | undefined>();
});

// Mistakes that must not compile.
// @ts-expect-error unknown option
metrics({ bogus: true });
// @ts-expect-error path is a string or false
metrics({ path: 9090 });
// @ts-expect-error path cannot be true
metrics({ path: true });
// @ts-expect-error a label is a string or a function returning a string
metrics({ labels: { n: 1 } });
// @ts-expect-error a label function returns a string
metrics({ labels: { n: () => 1 } });
// @ts-expect-error skip returns a boolean
metrics({ skip: () => 'yes' });
// @ts-expect-error getRoute returns a string or undefined
metrics({ getRoute: () => 42 });
// @ts-expect-error getRoute is a function
metrics({ getRoute: '/fixed' });
// @ts-expect-error the state is typed: AppState has no `org`
metrics<AppState>({ labels: { org: (ctx) => ctx.state.org.name } });
