/**
 * The protobuf side of a registry's `/metrics` endpoint: offered while the registry holds a
 * native histogram (SPEC.md: "with native histograms on"), so a Prometheus that asks for protobuf
 * keeps getting the text formats from applications without native histograms.
 */
import { type Registry, metricsOf } from '../prom';
import { isFamily } from '../family';
import { renderProtobuf } from './render';

/** What the endpoint needs to answer protobuf scrapes. */
export interface ProtobufSource {
  /** True while the registry holds a histogram with native buckets. */
  offered(): boolean;
  /** The delimited protobuf exposition of the registry. */
  render(): Promise<Buffer>;
}

export function protobufSource(registry: Registry): ProtobufSource {
  // The last body's size: where the next one's buffer starts.
  let size = 0;
  return {
    offered: () => metricsOf(registry).some((m) => isFamily(m) && (m as { native?: unknown }).native !== undefined),
    async render() {
      const body = await renderProtobuf(registry, undefined, size);
      size = body.length;
      return body;
    },
  };
}
