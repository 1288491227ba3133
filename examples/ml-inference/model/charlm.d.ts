/** The end-of-sentence token (also the start context). */
export const EOS: 0;
/** The vocabulary: index → character ('' for the end token). */
export const VOCAB: readonly string[];
/** The vocabulary's size. */
export const V: number;
/** Token ids of `text`: lower-cased; a character outside the vocabulary reads as a space. */
export function encode(text: string): number[];
/** The text of token ids. */
export function decode(ids: readonly number[]): string;
/** The context row index for the last two tokens. */
export function contextOf(a: number, b: number): number;
/** log P(c | a b) for every context and next token, from the corpus: [V · V × V], row-major. */
export function logProbabilities(lines?: readonly string[]): number[];
/** The model as ONNX bytes: inputs `context` [N] int64 and `inverse_temperature` [1], output `probabilities` [N, V]. */
export function charlmOnnx(): Uint8Array;
