import { expectTypeOf } from 'expect-type';
import {
  type ClusterPrimary, type ClusterWorker, type MetricsPusher, type PushSchedule, PushgatewayError, clusterMetrics, pushMetrics,
} from '../src';

const pusher = pushMetrics({ url: new URL('http://127.0.0.1:9091'), jobName: 'j', groupings: { instance: 'a' }, format: 'protobuf' });
expectTypeOf(pusher).toEqualTypeOf<MetricsPusher>();
expectTypeOf(pusher.push()).toEqualTypeOf<Promise<void>>();
expectTypeOf(pusher.runJob(async () => 42)).toEqualTypeOf<Promise<number>>();
expectTypeOf(pusher.runJob(() => 'sync')).toEqualTypeOf<Promise<string>>();
expectTypeOf(pusher.pushEvery(1000, { method: 'pushAdd' })).toEqualTypeOf<PushSchedule>();
expectTypeOf(pusher.pushAtExit({ signals: ['SIGTERM', 'SIGINT'] }).cancel).toEqualTypeOf<() => void>();
pushMetrics({ url: 'http://gw', jobName: 'j', onError: (e) => expectTypeOf(e).toEqualTypeOf<PushgatewayError>() });
expectTypeOf<PushgatewayError['status']>().toEqualTypeOf<number | undefined>();
// @ts-expect-error the gateway reads only the text format and protobuf
pushMetrics({ url: 'http://gw', jobName: 'j', format: 'openmetrics' });
// @ts-expect-error a grouping value is a string
pushMetrics({ url: 'http://gw', jobName: 'j', groupings: { n: 1 } });

const served = clusterMetrics({ port: 0, workerTimeoutMs: 1000 });
expectTypeOf(served).resolves.toEqualTypeOf<ClusterPrimary | ClusterWorker>();
void served.then((s) => {
  if (s.role === 'primary') expectTypeOf(s.url).toEqualTypeOf<string>();
  else expectTypeOf(s.close).toEqualTypeOf<() => Promise<void>>();
});
