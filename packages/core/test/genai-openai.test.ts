/** Reading OpenAI-compatible JSON: usage, finish reasons, content events, error types. */
import { errorTypeOf, finishReason, hasContent, readUsage } from '../src/genai/openai';

describe('readUsage', () => {
  it.each([
    [{ usage: { prompt_tokens: 3, completion_tokens: 4 } }, { input: 3, output: 4, cachedInput: -1, reasoning: -1 }],
    [
      { usage: { prompt_tokens: 3, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 2 }, completion_tokens_details: { reasoning_tokens: 1 } } },
      { input: 3, output: 4, cachedInput: 2, reasoning: 1 },
    ],
    [{ usage: { prompt_tokens: 6, total_tokens: 6 } }, { input: 6, output: -1, cachedInput: -1, reasoning: -1 }],
    [{ usage: null }, undefined],
    [{ usage: { prompt_tokens: '3' } }, undefined],
    [{ usage: { prompt_tokens: -1, completion_tokens: Number.NaN } }, undefined],
    [{ choices: [] }, undefined],
    ['text', undefined],
    [null, undefined],
  ])('%j → %j', (body, expected) => {
    expect(readUsage(body)).toEqual(expected);
  });
});

describe('finishReason', () => {
  it.each([
    [{ choices: [{ finish_reason: 'stop' }] }, 'stop'],
    [{ choices: [{ finish_reason: 'stop' }, { finish_reason: 'length' }] }, 'length'],
    [{ choices: [{ finish_reason: null }] }, undefined],
    [{ choices: 'x' }, undefined],
    [{}, undefined],
  ])('%j → %j', (body, expected) => {
    expect(finishReason(body)).toBe(expected);
  });
});

describe('hasContent', () => {
  it.each([
    [{ choices: [{ delta: { role: 'assistant', content: '' } }] }, false],
    [{ choices: [{ delta: { role: 'assistant' } }] }, false],
    [{ choices: [{ delta: { content: 'a' } }] }, true],
    [{ choices: [{ delta: { reasoning_content: 'thinking' } }] }, true],
    [{ choices: [{ delta: { tool_calls: [{ index: 0 }] } }] }, true],
    [{ choices: [{ delta: { refusal: 'no' } }] }, true],
    [{ choices: [{ text: 'a' }] }, true],
    [{ choices: [], usage: { prompt_tokens: 1 } }, false],
    [{ choices: [{ delta: {}, finish_reason: 'stop' }] }, false],
  ])('%j → %j', (chunk, expected) => {
    expect(hasContent(chunk)).toBe(expected);
  });
});

describe('errorTypeOf', () => {
  it.each([
    [{ error: { type: 'invalid_request_error', message: 'x' } }, 'invalid_request_error'],
    [{ error: { code: 'rate_limited' } }, 'rate_limited'],
    [{ error: { message: 'x' } }, 'error'],
    [{ error: 'x' }, undefined],
    [{ choices: [] }, undefined],
  ])('%j → %j', (body, expected) => {
    expect(errorTypeOf(body)).toBe(expected);
  });
});
