/**
 * The ML runtimes of `@promwire/ml`, when their module loads: `instrumentOnnxRuntime` for
 * onnxruntime-node, `instrumentTfjs` for @tensorflow/tfjs and @tensorflow/tfjs-node, with the
 * module object as it loaded (patched in place), before the app's code sees it.
 */
import type { AutoContext } from './context';
import { reason, report } from './log';

type Instrument = (module: unknown, options: unknown) => unknown;

export function instrumentMl(ctx: AutoContext, runtime: 'onnx' | 'tfjs', module: unknown): void {
  if (!ctx.enabled('ml')) return;
  const ml = ctx.adapter<{ instrumentOnnxRuntime: Instrument; instrumentTfjs: Instrument }>('ml', '@promwire/ml');
  if (ml === undefined) return;
  try {
    (runtime === 'onnx' ? ml.instrumentOnnxRuntime : ml.instrumentTfjs)(module, ctx.mlOptions());
  } catch (error) {
    report(`${runtime === 'onnx' ? 'onnxruntime-node' : 'TensorFlow.js'} is not recorded: ${reason(error)}`);
  }
}
