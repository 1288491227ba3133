/** Reading OpenAI-compatible JSON: usage, finish reasons, content events, error types. */
import { errorTypeOf, finishReason, hasContent, quickContent, readUsage } from '../src/genai/openai';

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

describe('quickContent: the unparsed reading agrees with hasContent, or asks for a parse', () => {
  it.each([
    ['{"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}', false],
    ['{"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}', true],
    ['{"choices":[{"index":0,"delta":{"content":"\\"content\\":\\"x"},"finish_reason":null}]}', true],
    ['{"choices":[{"index":0,"delta":{"role":"assistant","content":null,"text_note":"\\"content\\":\\"x\\""}}]}', false],
    ['{ "choices": [ { "delta": { "content": "spaced" } } ] }', true],
    ['{"choices":[{"delta":{"content":"\\u00e9"}}]}', true],
    ['{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{"}}]}}]}', true],
    ['{"choices":[{"delta":{"tool_calls":[]}}]}', false],
    ['{"choices":[{"text":"completion","index":0,"finish_reason":null}]}', true],
    ['{"choices":[{"delta":{"reasoning_content":"hmm"}}]}', true],
    ['{"choices":[{"delta":{"content":[{"type":"text","text":"part"}]}}]}', true],
    ['{"choices":[{"delta":{},"finish_reason":"stop"}]}', undefined],
    ['{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}', undefined],
    ['{"choices":[{"delta":{"content":"x"}}],"usage":null}', true],
    ['{"error":{"type":"server_error"}}', undefined],
    ['not json', undefined],
    ['{"unterminated":', undefined],
  ])('%s → %j', (data, expected) => {
    const quick = quickContent(data);
    expect(quick).toBe(expected);
    if (quick !== undefined) expect(quick).toBe(hasContent(JSON.parse(data)));
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
