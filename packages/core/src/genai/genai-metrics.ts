/**
 * The GenAI recorder: the families of SPEC "Generative-AI API metrics" in one registry. The
 * (operation, model) series, the model's label cap included, is resolved once per request when
 * its response starts; the rest is resolved when it ends. Each family has its own series index,
 * so a series appears in a family when that family first records it: an embeddings request
 * shows no time-to-first-token series, a non-streamed one no usage-missing series.
 */
import { CounterFamily } from '../counter';
import { GaugeFamily } from '../gauge';
import { HistogramFamily } from '../histogram';
import { OVERFLOW_VALUE, capLength } from '../labels';
import { type GenAiNames, genAiNames } from '../naming';
import type { Registry } from '../prom';
import { exponentialBuckets } from '../prom';
import { indexFor, overflowCounter, registerFamily } from '../registration';
import type { SeriesIndex } from '../series-index';
import type { Family } from '../family';
import type { TokenUsage } from './openai';

/** Request duration buckets, in seconds. */
export const GENAI_DURATION_BUCKETS: readonly number[] = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
/** Time-to-first-token buckets, in seconds. */
export const GENAI_TTFT_BUCKETS: readonly number[] = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** Time-per-output-token (and per-chunk) buckets, in seconds. */
export const GENAI_TPOT_BUCKETS: readonly number[] = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5];
/** Token-count buckets: powers of 4 from 1 to 4^13. */
export const GENAI_TOKEN_BUCKETS: readonly number[] = exponentialBuckets(1, 4, 14);

/** Positions of `finish_reason` and `error_type` among the requests family's labels. */
const FINISH_POSITION = 3;
const ERROR_POSITION = 4;

/** What one finished GenAI request recorded. */
export interface GenAiOutcome {
  /** From {@link GenAiMetrics.seriesFor}. */
  series: GenAiSeries;
  stream: boolean;
  finishReason: string;
  errorType: string;
  seconds: number;
  usage: TokenUsage | undefined;
  /** Seconds from arrival to the first content event, -1 when none came. */
  ttft: number;
  /** A completed stream without usage. */
  usageMissing: boolean;
}

/** The (operation, model) of a request: label values, the in-flight id, and the chunk-gap id once resolved. */
export interface GenAiSeries {
  operation: string;
  model: string;
  id: number;
  /** The series id in the time-per-output-chunk family, -1 until the request's first gap. */
  chunkId: number;
}

export class GenAiMetrics {
  readonly names: GenAiNames;
  private readonly requests: CounterFamily;
  private readonly duration: HistogramFamily;
  private readonly ttft: HistogramFamily;
  private readonly tpot: HistogramFamily;
  private readonly tokenUsage: HistogramFamily;
  private readonly tokens: CounterFamily;
  private readonly usageMissing: CounterFamily;
  private readonly chunk: HistogramFamily;
  private readonly inFlight: GaugeFamily;
  private readonly unread: CounterFamily;
  private readonly overflow: CounterFamily;
  private readonly perModel: SeriesIndex;

  /** Registers the families in `registry` (or reuses identical ones). Throws a `TypeError` prefixed with `pkg` on a clash. */
  constructor(pkg: string, registry: Registry, prefix: string, maxLabelValues: number) {
    const n = (this.names = genAiNames(prefix));
    const settings = { maxLabelValues };
    const family = <F extends Family>(f: F, bucketsOption?: string): F => {
      f.settings = settings;
      return registerFamily(pkg, registry, f, bucketsOption);
    };
    const byModel = [n.operation, n.model];
    const byType = [n.operation, n.model, n.tokenType];
    this.perModel = indexFor(registry, n.inFlight, byModel, maxLabelValues);
    this.requests = family(new CounterFamily(n.requests, 'GenAI API requests, by operation, requested model, stream, finish reason and error type.', indexFor(registry, n.requests, [...byModel, n.stream, n.finishReason, n.errorType], maxLabelValues)));
    this.duration = family(new HistogramFamily(n.duration, 'Duration of GenAI API requests in seconds, from arrival to the end of the response.', indexFor(registry, n.duration, [...byModel, n.stream, n.errorType]), GENAI_DURATION_BUCKETS));
    this.ttft = family(new HistogramFamily(n.timeToFirstToken, 'Seconds from the arrival of a streamed GenAI request to its first event carrying content.', indexFor(registry, n.timeToFirstToken, byModel), GENAI_TTFT_BUCKETS));
    this.tpot = family(new HistogramFamily(n.timePerOutputToken, 'Seconds per output token after the first, of successful streams with at least two output tokens.', indexFor(registry, n.timePerOutputToken, byModel), GENAI_TPOT_BUCKETS));
    this.tokenUsage = family(new HistogramFamily(n.tokenUsage, 'Tokens per GenAI request, input and output, from the response usage.', indexFor(registry, n.tokenUsage, byType), GENAI_TOKEN_BUCKETS));
    this.tokens = family(new CounterFamily(n.tokens, 'Tokens of GenAI requests (input, output, cached_input, reasoning), from the response usage.', indexFor(registry, n.tokens, byType)));
    this.usageMissing = family(new CounterFamily(n.usageMissing, 'GenAI streams that ended without a usage chunk.', indexFor(registry, n.usageMissing, byModel)));
    this.chunk = family(new HistogramFamily(n.timePerOutputChunk, 'Seconds between consecutive content events of a GenAI stream.', indexFor(registry, n.timePerOutputChunk, byModel), GENAI_TPOT_BUCKETS));
    this.inFlight = family(new GaugeFamily(n.inFlight, 'GenAI responses being written, by operation and requested model.', this.perModel));
    this.unread = family(new CounterFamily(n.unread, 'GenAI stream events or bodies promwire left unread: too long, not JSON, or compressed.', indexFor(registry, n.unread, [n.operation, n.reason])));
    this.overflow = overflowCounter(pkg, registry, prefix);
  }

  /** The series of (`operation`, `model`); the model counts against `maxLabelValues`. */
  seriesFor(operation: string, model: string): GenAiSeries {
    const value = this.perModel.admit(1, capLength(model));
    if (value === OVERFLOW_VALUE) {
      for (const f of [this.requests, this.duration, this.ttft, this.tpot, this.tokenUsage, this.tokens, this.usageMissing, this.chunk, this.inFlight]) {
        this.overflow.add([f.familyName, this.names.model], 1);
      }
    }
    return { operation, model: value, id: this.perModel.id([operation, value]), chunkId: -1 };
  }

  begin(s: GenAiSeries): void {
    this.inFlight.values[s.id]!++;
  }

  /** The first content event of a stream, `seconds` after the request arrived. */
  firstToken(s: GenAiSeries, seconds: number): void {
    this.ttft.observe(this.ttft.index.id([s.operation, s.model]), seconds);
  }

  /** `seconds` between two content events of a stream. */
  chunkGap(s: GenAiSeries, seconds: number): void {
    if (s.chunkId < 0) s.chunkId = this.chunk.index.id([s.operation, s.model]);
    this.chunk.observe(s.chunkId, seconds);
  }

  /** Something of an `operation` request left unread, for `reason`. */
  unreadOne(operation: string, reason: string): void {
    this.unread.add([operation, reason], 1);
  }

  /** The request ended; `began` when {@link begin} counted it in flight. */
  end(o: GenAiOutcome, began: boolean): void {
    const s = o.series;
    if (began) this.inFlight.values[s.id]!--;
    const stream = o.stream ? 'true' : 'false';
    // Both come from the response body: capped like every label.
    const finish = this.admit(FINISH_POSITION, o.finishReason, false);
    const error = this.admit(ERROR_POSITION, o.errorType, true);
    this.requests.add([s.operation, s.model, stream, finish, error], 1);
    this.duration.observe(this.duration.index.id([s.operation, s.model, stream, error]), o.seconds);
    if (o.usageMissing) this.usageMissing.add([s.operation, s.model], 1);
    const u = o.usage;
    if (u === undefined) return;
    this.addTokens(s, 'input', u.input, true);
    this.addTokens(s, 'output', u.output, true);
    this.addTokens(s, 'cached_input', u.cachedInput, false);
    this.addTokens(s, 'reasoning', u.reasoning, false);
    if (o.stream && o.errorType === '' && o.ttft >= 0 && u.output >= 2) {
      this.tpot.observe(this.tpot.index.id([s.operation, s.model]), Math.max(0, o.seconds - o.ttft) / (u.output - 1));
    }
  }

  /** `value` as label `position` of the requests family records it; an overflow is counted for each family that has the label. */
  private admit(position: number, value: string, inDuration: boolean): string {
    if (value === '') return value;
    const admitted = this.requests.index.admit(position, capLength(value));
    if (admitted === OVERFLOW_VALUE) {
      const label = this.requests.labelNames[position]!;
      this.overflow.add([this.requests.familyName, label], 1);
      if (inDuration) this.overflow.add([this.duration.familyName, label], 1);
    }
    return admitted;
  }

  private addTokens(s: GenAiSeries, type: string, n: number, observe: boolean): void {
    if (n < 0) return;
    const labels = [s.operation, s.model, type];
    this.tokens.add(labels, n);
    if (observe) this.tokenUsage.observe(this.tokenUsage.index.id(labels), n);
  }
}
