/**
 * Frameworks and runtimes recognised by the shape of what their module exports, not by the
 * name it was required by (npm aliases, nested copies and re-exports are recognised too). Each
 * test reads a few properties and never calls anything.
 */

/** `express` (4, 5): the factory, with `application` (the app prototype) and `Router`. */
export interface ExpressModule {
  (): unknown;
  application: { handle: (...args: unknown[]) => unknown };
  Router: unknown;
}

/** `koa` (2, 3): the Application class. */
export interface KoaClass {
  prototype: { handleRequest: (...args: unknown[]) => unknown; callback: unknown; createContext: unknown };
}

/** `@nestjs/core` (10–12): its exports or ES namespace, with the `NestFactory` instance. */
export interface NestCoreModule {
  NestFactory: { create: (...args: unknown[]) => unknown };
}

export function isExpress(value: unknown): value is ExpressModule {
  const v = value as Partial<ExpressModule>;
  return typeof value === 'function' && typeof v.application === 'object' && v.application !== null &&
    typeof v.application.handle === 'function' && typeof v.Router === 'function';
}

export function isKoa(value: unknown): value is KoaClass {
  const proto = (value as Partial<KoaClass>).prototype;
  return typeof value === 'function' && typeof proto === 'object' && proto !== null &&
    typeof proto.handleRequest === 'function' && typeof proto.callback === 'function' && typeof proto.createContext === 'function';
}

export function isNestCore(value: unknown): value is NestCoreModule {
  if (typeof value !== 'object' || value === null) return false;
  const factory = (value as Partial<NestCoreModule>).NestFactory;
  return typeof factory === 'object' && factory !== null && typeof factory.create === 'function';
}

/** `onnxruntime-node` (and -web, -common): `InferenceSession.create`. */
export function isOnnxRuntime(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const session = (value as { InferenceSession?: unknown }).InferenceSession;
  return typeof session === 'function' && typeof (session as { create?: unknown }).create === 'function' && 'Tensor' in value;
}

/** `@tensorflow/tfjs` or `@tensorflow/tfjs-node`: the layers loader and the model builders. */
export function isTfjs(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.loadLayersModel === 'function' && typeof v.loadGraphModel === 'function' && typeof v.sequential === 'function';
}

/** `node:cluster`, as a CommonJS app requires it. */
export interface ClusterModule {
  isPrimary: boolean;
  fork: unknown;
  setupPrimary: unknown;
  once(event: 'fork', listener: () => void): unknown;
}

export function isCluster(value: unknown): value is ClusterModule {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<ClusterModule>;
  return typeof v.isPrimary === 'boolean' && typeof v.fork === 'function' && typeof v.setupPrimary === 'function';
}
