import type { MetricObjectWithValues } from './prom';
import { Family } from './family';
import { braces, formatValue, header } from './format';

export interface GaugeCell {
  value: number;
}

/** A gauge family. */
export class GaugeFamily extends Family<GaugeCell> {
  constructor(name: string, help: string, labelNames: readonly string[]) {
    super(name, help, 'gauge', labelNames);
  }

  protected newCell(): GaugeCell {
    return { value: 0 };
  }

  reset(): void {
    for (const { cell } of this.series) cell.value = 0;
  }

  get(): MetricObjectWithValues {
    return {
      name: this.familyName,
      help: this.help,
      type: 'gauge',
      aggregator: this.aggregator,
      values: this.series.map((s) => ({ labels: this.labelsOf(s.values), value: s.cell.value })),
    };
  }

  render(openMetrics: boolean, extraLabels: string): string {
    let out = header(this.familyName, this.help, 'gauge', openMetrics);
    for (const { text, cell } of this.series) {
      out += `${this.familyName}${braces(text, extraLabels)} ${formatValue(cell.value)}\n`;
    }
    return out;
  }
}
