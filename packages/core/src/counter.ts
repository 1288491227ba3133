import type { MetricObjectWithValues } from './prom';
import { Family } from './family';
import { braces, formatValue, header } from './format';
import { type Exemplar, exemplarText } from './exemplar';

export interface CounterCell {
  value: number;
  exemplar: Exemplar | undefined;
}

/** A counter family. `name` ends in `_total`; OpenMetrics output names the family without it. */
export class CounterFamily extends Family<CounterCell> {
  constructor(name: string, help: string, labelNames: readonly string[]) {
    super(name, help, 'counter', labelNames);
  }

  protected newCell(): CounterCell {
    return { value: 0, exemplar: undefined };
  }

  reset(): void {
    for (const { cell } of this.series) {
      cell.value = 0;
      cell.exemplar = undefined;
    }
  }

  get(): MetricObjectWithValues {
    return {
      name: this.familyName,
      help: this.help,
      type: 'counter',
      aggregator: this.aggregator,
      values: this.series.map((s) => ({ labels: this.labelsOf(s.values), value: s.cell.value })),
    };
  }

  render(openMetrics: boolean, extraLabels: string): string {
    const sample = this.familyName;
    const family = openMetrics ? sample.replace(/_total$/, '') : sample;
    let out = header(family, this.help, 'counter', openMetrics);
    const name = openMetrics ? `${family}_total` : sample;
    for (const { text, cell } of this.series) {
      out += `${name}${braces(text, extraLabels)} ${formatValue(cell.value)}`;
      if (openMetrics && cell.exemplar !== undefined) out += exemplarText(cell.exemplar);
      out += '\n';
    }
    return out;
  }
}
