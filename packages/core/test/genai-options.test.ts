/** GenAI routes: which requests are read, with which operation, and the checks of the options. */
import { Registry } from 'prom-client';
import { OPERATIONS, matchRoute, resolveGenAiOptions } from '../src/genai/options';
import { GenAiTracker } from '../src/genai/tracker';

const operation = (routes: unknown, url: string): string | undefined => {
  const o = resolveGenAiOptions('test', routes === undefined ? undefined : { routes })!;
  return OPERATIONS[matchRoute(o, url)];
};

describe('matchRoute', () => {
  it.each([
    [undefined, '/v1/chat/completions', 'chat'],
    [undefined, '/v1/chat/completions?stream=1', 'chat'],
    [undefined, '/v1/completions', 'text_completion'],
    [undefined, '/v1/embeddings', 'embeddings'],
    [undefined, '/v1/chat/completions/x', undefined],
    [undefined, '/v1/chat', undefined],
    [undefined, '/v1/models', undefined],
    [undefined, '/users/1', undefined],
    [undefined, '/', undefined],
    [['/v1/chat/completions', '/openai/deployments/:name/embeddings', { path: '/gen', operation: 'text_completion' }], '/openai/deployments/ada-2/embeddings', 'embeddings'],
    [['/v1/chat/completions', '/openai/deployments/:name/embeddings', { path: '/gen', operation: 'text_completion' }], '/openai/deployments/a/b/embeddings', undefined],
    [['/v1/chat/completions', '/openai/deployments/:name/embeddings', { path: '/gen', operation: 'text_completion' }], '/gen?x=1', 'text_completion'],
    [['/v1/chat/completions', '/openai/deployments/:name/embeddings', { path: '/gen', operation: 'text_completion' }], '/v1/chat/completions', 'chat'],
    [['/v1/chat/completions', '/openai/deployments/:name/embeddings', { path: '/gen', operation: 'text_completion' }], '/generate', undefined],
    [['/api/*/chat/completions'], '/api/a/b/chat/completions', 'chat'],
    [['/api/v1.0/embeddings'], '/api/v1x0/embeddings', undefined],
  ])('routes %j: %s → %s', (routes, url, expected) => {
    expect(operation(routes, url)).toBe(expected);
  });
});

describe('resolveGenAiOptions', () => {
  it('false turns GenAI off; true and undefined are the defaults', () => {
    expect(resolveGenAiOptions('test', false)).toBeUndefined();
    expect(resolveGenAiOptions('test', true)).toEqual(resolveGenAiOptions('test', undefined));
    expect(resolveGenAiOptions('test', undefined)!.prefix).toBe('/v1/');
  });

  it.each([
    [[], /^test: genai.routes must be a non-empty array/],
    ['/v1/embeddings', /^test: genai.routes must be a non-empty array/],
    [['v1/embeddings'], /^test: genai.routes\[0\] must be a path starting with "\/"/],
    [[{ path: '/x', operation: 'chat', extra: 1 }], /^test: unknown option "extra" \(genai.routes\[0\] accepts path, operation\)/],
    [[{ path: '/x' }], /^test: genai.routes\[0\].operation must be one of chat, text_completion, embeddings, got undefined/],
  ])('routes %j are refused', (routes, message) => {
    expect(() => resolveGenAiOptions('test', { routes })).toThrow(message);
  });

  it.each([
    ['maxEventBytes', 1.5],
    ['maxBodyBytes', -1],
    ['maxBodyBytes', '1mb'],
  ])('%s %j is refused', (key, value) => {
    expect(() => resolveGenAiOptions('test', { [key]: value })).toThrow(new RegExp(`^test: genai.${key} must be a positive integer`));
  });
});

describe('GenAiTracker.mayMatch: the one test every request pays', () => {
  const tracker = (routes?: unknown): GenAiTracker =>
    new GenAiTracker('test', resolveGenAiOptions('test', routes === undefined ? undefined : { routes })!, new Registry(), '', 1000, undefined);

  it.each([
    [undefined, '/v1/chat/completions', true],
    [undefined, '/v1/models', true], // starts as the routes do: matchRoute decides
    [undefined, '/users/1', false],
    [undefined, '/v2/chat/completions', false],
    [undefined, '/', false],
    [undefined, undefined, false],
    [['/v1/chat/completions', '/api/:d/embeddings'], '/api/x/embeddings', true], // common prefix "/": every path
    [['/v1/chat/completions', '/api/:d/embeddings'], '/users', true],
    [['/v1/chat/completions', '/v2/embeddings'], '/v2/embeddings', true],
    [['/v1/chat/completions', '/v2/embeddings'], '/videos', true],
    [['/v1/chat/completions', '/v2/embeddings'], '/users', false],
  ])('routes %j: %s → %s', (routes, url, expected) => {
    expect(tracker(routes).mayMatch(url)).toBe(expected);
  });
});
