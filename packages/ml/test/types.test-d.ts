import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { expectTypeOf } from 'expect-type';
import { Registry } from 'prom-client';
import { instrumentOnnxRuntime, instrumentTfjs, type MlMetricsOptions, type ModelSource, type Unpatch } from '../src';

// The runtimes' own module types are accepted as they are.
expectTypeOf(instrumentOnnxRuntime(ort)).toEqualTypeOf<Unpatch>();
expectTypeOf(instrumentTfjs(tf)).toEqualTypeOf<Unpatch>();
expectTypeOf(instrumentTfjs).parameter(1).toEqualTypeOf<MlMetricsOptions | undefined>();

instrumentOnnxRuntime(ort, {
  registry: new Registry(),
  prefix: 'app_',
  maxLabelValues: 50,
  inferenceBuckets: [0.001, 0.01, 0.1],
  modelName: (source, loaderOptions) => {
    expectTypeOf(source).toEqualTypeOf<ModelSource>();
    expectTypeOf(loaderOptions).toEqualTypeOf<object | undefined>();
    return typeof source === 'string' ? undefined : 'from-bytes';
  },
});
instrumentTfjs(tf, { modelName: 'iris', client: 'prom-client' });

// @ts-expect-error modelName is a string or a function
instrumentOnnxRuntime(ort, { modelName: 3 });
// @ts-expect-error a namer answers a string or undefined
instrumentTfjs(tf, { modelName: () => 42 });
// @ts-expect-error client is one of the two supported clients
instrumentTfjs(tf, { client: 'prometheus' });
// @ts-expect-error not the onnxruntime module
instrumentOnnxRuntime(tf);
// @ts-expect-error not the TF.js module
instrumentTfjs(ort);
