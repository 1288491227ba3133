/** When a pusher pushes by itself: on an interval, and once at exit. */
import { describe, optionError } from '../options';
import type { PushgatewayError } from './push-error';

const PKG = '@promwire/core';

/** A running `pushEvery`. */
export interface PushSchedule {
  /** Cancels the next push and aborts one in flight; resolves when nothing is left running. */
  stop(): Promise<void>;
}

/** Options of `pushAtExit`. */
export interface ExitPushOptions {
  /** `'push'` (PUT, default) or `'pushAdd'` (POST). */
  method?: 'push' | 'pushAdd';
  /** The longest the exit waits for the push, retries included, in milliseconds. Default 5000. */
  timeoutMs?: number;
  /**
   * Signals that push before the process ends. Default `['SIGTERM']`. When promwire's is the
   * only listener of the signal, the signal is raised again after the push, so the process
   * ends as it would have without promwire (killed by the signal). When the app listens too,
   * the app's listener decides when to exit: promwire only pushes (and a `process.exit()` in
   * the app's listener ends the process before the push finishes; push from there instead).
   */
  signals?: NodeJS.Signals[];
}

function checkMs(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 2 ** 31 - 1) {
    throw optionError(PKG, `${name} must be a positive number of milliseconds, got ${describe(value)}`);
  }
  return value;
}

export function pushEvery(
  intervalMs: number,
  push: (signal: AbortSignal) => Promise<void>,
  onError: (error: PushgatewayError) => void,
): PushSchedule {
  const every = checkMs('intervalMs', intervalMs, 0);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const tick = (): void => {
    running = push(controller.signal)
      .catch((error: PushgatewayError) => {
        if (!controller.signal.aborted) onError(error);
      })
      .finally(() => {
        running = undefined;
        if (!controller.signal.aborted) schedule();
      });
  };
  const schedule = (): void => {
    timer = setTimeout(tick, every);
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      clearTimeout(timer);
      controller.abort(new Error('pushEvery stopped'));
      await running;
    },
  };
}

export function pushAtExit(
  options: ExitPushOptions,
  push: (signal: AbortSignal) => Promise<void>,
  onError: (error: PushgatewayError) => void,
): { cancel(): void } {
  const timeoutMs = checkMs('timeoutMs', options.timeoutMs, 5000);
  const signals = options.signals ?? ['SIGTERM'];
  if (!Array.isArray(signals) || signals.some((s) => typeof s !== 'string' || !/^SIG[A-Z0-9]+$/.test(s))) {
    throw optionError(PKG, `signals must be an array of signal names ('SIGTERM', 'SIGINT' …), got ${describe(signals)}`);
  }
  let pushed: Promise<void> | undefined;
  const once = (): Promise<void> => {
    if (pushed === undefined) {
      cancel();
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error(`no push within ${timeoutMs} ms at exit`)), timeoutMs);
      timer.unref();
      pushed = push(controller.signal).catch(onError).finally(() => clearTimeout(timer));
    }
    return pushed;
  };
  const onBeforeExit = (): void => void once();
  const onSignal = (signal: NodeJS.Signals): void => {
    // Counted before ours is removed: 1 means no one else handles this signal.
    const alone = process.listenerCount(signal) === 1;
    void once().then(() => {
      if (alone) process.kill(process.pid, signal);
    });
  };
  function cancel(): void {
    process.off('beforeExit', onBeforeExit);
    for (const s of signals) process.off(s, onSignal);
  }
  process.on('beforeExit', onBeforeExit);
  for (const s of signals) process.on(s, onSignal);
  return { cancel };
}
