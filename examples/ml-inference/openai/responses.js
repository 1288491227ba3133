'use strict';
// The bodies the OpenAI-compatible routes answer: whole completions, stream chunks (Server-Sent
// Events), embeddings, the model list and errors, shaped as the OpenAI API shapes them.

/** The fields of a chat completion and of a legacy text completion, by route. */
const KINDS = {
  chat: {
    prefix: 'chatcmpl-',
    object: 'chat.completion',
    chunkObject: 'chat.completion.chunk',
    whole: (text, finishReason) => ({ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: finishReason }),
    first: () => ({ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }),
    delta: (text) => ({ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }),
    last: (finishReason) => ({ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }),
  },
  text: {
    prefix: 'cmpl-',
    object: 'text_completion',
    chunkObject: 'text_completion',
    whole: (text, finishReason) => ({ index: 0, text, logprobs: null, finish_reason: finishReason }),
    first: null, // a text stream starts with its first piece of text
    delta: (text) => ({ index: 0, text, logprobs: null, finish_reason: null }),
    last: (finishReason) => ({ index: 0, text: '', logprobs: null, finish_reason: finishReason }),
  },
};

const usage = (promptTokens, completionTokens) => ({ prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens });

/** One SSE event carrying `data` as JSON (or the literal `[DONE]`). */
const event = (data) => `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

/** The writer of one completion's responses; `meta` is `{ id, created, model }`. */
function completion(kind, meta, { includeUsage }) {
  const shape = KINDS[kind];
  const head = { id: `${shape.prefix}${meta.id}`, object: shape.object, created: meta.created, model: meta.model };
  const chunk = (choices) => event({ ...head, object: shape.chunkObject, choices, ...(includeUsage ? { usage: null } : {}) });
  return {
    whole: (text, finishReason, promptTokens, completionTokens) => ({ ...head, choices: [shape.whole(text, finishReason)], usage: usage(promptTokens, completionTokens) }),
    /** The events before the first token ('' when the stream starts with text). */
    start: () => (shape.first ? chunk([shape.first()]) : ''),
    delta: (text) => chunk([shape.delta(text)]),
    /** The final chunk, the usage chunk when the client asked for it, and `[DONE]`. */
    end: (finishReason, promptTokens, completionTokens) =>
      chunk([shape.last(finishReason)]) +
      (includeUsage ? event({ ...head, object: shape.chunkObject, choices: [], usage: usage(promptTokens, completionTokens) }) : '') +
      event('[DONE]'),
  };
}

/** `POST /v1/embeddings`'s body; base64 holds the float32 values' little-endian bytes. */
function embeddings(model, vectors, format, promptTokens) {
  const encode = format === 'base64' ? (v) => Buffer.from(Float32Array.from(v).buffer).toString('base64') : (v) => v;
  return {
    object: 'list',
    data: vectors.map((v, index) => ({ object: 'embedding', index, embedding: encode(v) })),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}

const models = (model, created) => ({ object: 'list', data: [{ id: model, object: 'model', created, owned_by: 'promwire-examples' }] });

/** An OpenAI-shaped error body. */
const error = (message, type = 'invalid_request_error', param = null, code = null) => ({ error: { message, type, param, code } });

module.exports = { completion, embeddings, models, error };
