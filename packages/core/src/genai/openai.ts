/**
 * What the GenAI metrics read from OpenAI-compatible JSON: token usage, finish reasons, whether
 * a stream chunk carries content, and error types. Pure functions of parsed JSON; anything of
 * an unexpected shape reads as absent.
 */

/** Token counts of one response; -1 where the response gave none. */
export interface TokenUsage {
  input: number;
  output: number;
  cachedInput: number;
  reasoning: number;
}

/**
 * The `usage` object of a response or final stream chunk: `prompt_tokens`, `completion_tokens`,
 * `prompt_tokens_details.cached_tokens`, `completion_tokens_details.reasoning_tokens`.
 * Undefined when there is none (or it has no count at all).
 */
export function readUsage(body: unknown): TokenUsage | undefined {
  const usage = field(body, 'usage');
  if (typeof usage !== 'object' || usage === null) return undefined;
  const input = count(field(usage, 'prompt_tokens'));
  const output = count(field(usage, 'completion_tokens'));
  if (input < 0 && output < 0) return undefined;
  return {
    input,
    output,
    cachedInput: count(field(field(usage, 'prompt_tokens_details'), 'cached_tokens')),
    reasoning: count(field(field(usage, 'completion_tokens_details'), 'reasoning_tokens')),
  };
}

/** The last non-empty `finish_reason` among `choices`, or undefined. */
export function finishReason(body: unknown): string | undefined {
  const choices = field(body, 'choices');
  if (!Array.isArray(choices)) return undefined;
  let reason: string | undefined;
  for (const choice of choices) {
    const r = field(choice, 'finish_reason');
    if (typeof r === 'string' && r !== '') reason = r;
  }
  return reason;
}

/**
 * True when a stream chunk carries output: a choice with non-empty `delta.content`,
 * `delta.reasoning_content` / `delta.reasoning`, `delta.refusal`, `delta.tool_calls`, content
 * parts (chat), or `text` (completions). A role-only first chunk carries none.
 */
export function hasContent(chunk: unknown): boolean {
  const choices = field(chunk, 'choices');
  if (!Array.isArray(choices)) return false;
  for (const choice of choices) {
    if (nonEmpty(field(choice, 'text'))) return true;
    const delta = field(choice, 'delta');
    if (typeof delta !== 'object' || delta === null) continue;
    const d = delta as Record<string, unknown>;
    if (nonEmpty(d.content) || nonEmpty(d.reasoning_content) || nonEmpty(d.reasoning) || nonEmpty(d.refusal)) return true;
    if (Array.isArray(d.tool_calls) && d.tool_calls.length > 0) return true;
    if (Array.isArray(d.content) && d.content.length > 0) return true; // content parts
  }
  return false;
}

/** An OpenAI error body's `error.type` (else `error.code`), or undefined when `body` is not one. */
export function errorTypeOf(body: unknown): string | undefined {
  const error = field(body, 'error');
  if (typeof error !== 'object' || error === null) return undefined;
  const type = field(error, 'type');
  if (typeof type === 'string' && type !== '') return type;
  const code = field(error, 'code');
  if (typeof code === 'string' && code !== '') return code;
  return 'error';
}

/** A key whose value the reader needs: a `usage` or `error` object, a string `finish_reason`. */
const NEEDS_PARSE = /"(?:usage|error)"\s*:\s*\{|"finish_reason"\s*:\s*"/;
/** A content key with a non-empty string, or a non-empty `tool_calls`. */
const CONTENT_KEY = /"(?:content|text|reasoning_content|reasoning|refusal)"\s*:\s*"[^"]|"tool_calls"\s*:\s*\[\s*\{/;

/**
 * The usual stream chunk, without parsing it: true or false when `data` is a JSON object that
 * carries no usage, error or finish reason (then only whether it has content matters, which is
 * {@link hasContent} of its parse); undefined when it must be parsed. A key can only appear
 * unescaped as a key (quotes inside strings are escaped), so the tests do not misread content.
 */
export function quickContent(data: string): boolean | undefined {
  if (data.charCodeAt(0) !== 0x7b || data.charCodeAt(data.length - 1) !== 0x7d || NEEDS_PARSE.test(data)) return undefined;
  return CONTENT_KEY.test(data);
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : -1;
}

function nonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value !== '';
}
