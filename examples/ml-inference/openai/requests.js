'use strict';
// Reads the bodies of the OpenAI-compatible routes into what the generator needs, or an
// OpenAI-shaped error: 400 `invalid_request_error` naming the parameter, 404 `model_not_found`.
const { EOS, MAX_TOKENS_LIMIT, encode } = require('./generator');
const { error } = require('./responses');

/** The one model this server runs. */
const MODEL = 'charlm';
const DEFAULT_MAX_TOKENS = 64;
/** Most inputs one embeddings request may send. */
const MAX_INPUTS = 256;

class ApiError extends Error {
  constructor(status, message, param = null, code = null, type = 'invalid_request_error') {
    super(message);
    this.status = status;
    this.body = error(message, type, param, code);
  }
}

const invalid = (param, message) => new ApiError(400, message, param);

function checkModel(body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalid(null, 'The body must be a JSON object.');
  if (typeof body.model !== 'string' || body.model === '') throw invalid('model', 'you must provide a model parameter');
  if (body.model !== MODEL) throw new ApiError(404, `The model \`${body.model}\` does not exist. This server runs \`${MODEL}\`.`, 'model', 'model_not_found');
}

function integer(body, param, min, max, fallback) {
  const value = body[param];
  if (value === undefined || value === null) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw invalid(param, `${param} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return value;
}

/** Generation options common to both completion routes. */
function sampling(body) {
  const temperature = body.temperature ?? 1;
  if (typeof temperature !== 'number' || !(temperature >= 0 && temperature <= 2)) throw invalid('temperature', `temperature must be a number from 0 to 2, got ${JSON.stringify(temperature)}`);
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') throw invalid('stream', 'stream must be a boolean');
  if (body.n !== undefined && body.n !== null && body.n !== 1) throw invalid('n', 'this server generates one choice per request (n = 1)');
  const max = body.max_completion_tokens ?? body.max_tokens;
  const maxTokens = integer({ max_tokens: max }, 'max_tokens', 1, MAX_TOKENS_LIMIT, DEFAULT_MAX_TOKENS);
  // No seed: a random one, so replies vary as with any sampling server.
  const seed = integer(body, 'seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, Math.floor(Math.random() * 2 ** 32));
  const includeUsage = body.stream === true && body.stream_options?.include_usage === true;
  return { stream: body.stream === true, includeUsage, temperature, maxTokens, seed: Number(BigInt(seed) & 0xffffffffn) };
}

/** A message's text: a string, or an array of `{ type: 'text', text }` parts. */
function messageText(message, i) {
  const where = `messages[${i}]`;
  if (message === null || typeof message !== 'object' || typeof message.role !== 'string') throw invalid(where, `${where} must be an object with a role and content`);
  const { content } = message;
  if (typeof content === 'string') return content;
  if (Array.isArray(content) && content.every((p) => p?.type === 'text' && typeof p.text === 'string')) return content.map((p) => p.text).join('');
  throw invalid(`${where}.content`, `${where}.content must be a string or an array of text parts`);
}

/** `POST /v1/chat/completions`: the prompt is every message's text, each ending a sentence. */
function readChat(body) {
  checkModel(body);
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw invalid('messages', 'messages must be a non-empty array');
  const prompt = [EOS];
  body.messages.forEach((m, i) => prompt.push(...encode(messageText(m, i)), EOS));
  return { ...sampling(body), prompt };
}

/** `POST /v1/completions`: the reply continues the prompt's text. */
function readCompletion(body) {
  checkModel(body);
  if (typeof body.prompt !== 'string') throw invalid('prompt', 'prompt must be a string');
  return { ...sampling(body), prompt: [EOS, ...encode(body.prompt)] };
}

/** `POST /v1/embeddings`: token ids of each input (a string or an array of strings). */
function readEmbeddings(body) {
  checkModel(body);
  const inputs = typeof body.input === 'string' ? [body.input] : body.input;
  if (!Array.isArray(inputs) || inputs.length === 0 || inputs.length > MAX_INPUTS || !inputs.every((s) => typeof s === 'string' && s !== '')) {
    throw invalid('input', `input must be a non-empty string or an array of 1 to ${MAX_INPUTS} non-empty strings`);
  }
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') throw invalid('encoding_format', "encoding_format must be 'float' or 'base64'");
  return { inputs: inputs.map(encode), format };
}

module.exports = { MODEL, ApiError, readChat, readCompletion, readEmbeddings };
