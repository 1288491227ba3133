import type { IncomingMessage, ServerResponse } from 'node:http';
import { expectTypeOf } from 'expect-type';
import { type HttpRecorder, type MetricsServer, createHttpMetrics, metricsHandler, startMetricsServer } from '../src';
import type { RequestState } from '../src/adapter';

interface MyReq { id: string }
interface MyRes { code: number }

const recorder = createHttpMetrics<MyReq, MyRes>({
  labels: { who: (req, res) => `${req.id}:${res.code}` },
  routeOf: (req) => req.id,
});
expectTypeOf(recorder).toEqualTypeOf<HttpRecorder<MyReq, MyRes>>();
expectTypeOf(recorder.begin({ id: 'a' }, { code: 200 }, { method: 'GET', headers: {} })).toEqualTypeOf<
  RequestState<MyReq, MyRes> | undefined
>();
expectTypeOf(recorder.end).parameters.toEqualTypeOf<[RequestState<MyReq, MyRes>, number, boolean?]>();

expectTypeOf(metricsHandler()).toEqualTypeOf<(req: IncomingMessage, res: ServerResponse) => Promise<void>>();
expectTypeOf(startMetricsServer({ port: 0 })).resolves.toEqualTypeOf<MetricsServer>();
