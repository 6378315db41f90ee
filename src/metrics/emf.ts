/**
 * CloudWatch Embedded Metric Format: one JSON line per flush on a writable stream (stdout on ECS, where the
 * awslogs driver ships it and CloudWatch extracts the metrics). Metric names come from `./names`.
 */
import { METRICS_NAMESPACE } from './names';

export type MetricUnit = 'Count' | 'Bytes' | 'Milliseconds' | 'Seconds' | 'None';

export interface MetricDimensions {
  stage: string;
  component: string;
}

export interface EmfSink {
  write(line: string): void;
}

/** Accumulates counters and values between flushes, then writes one EMF document. */
export class EmfEmitter {
  readonly #dimensions: MetricDimensions;
  readonly #sink: EmfSink;
  readonly #now: () => number;
  #sums = new Map<string, { unit: MetricUnit; value: number }>();
  #values = new Map<string, { unit: MetricUnit; values: number[] }>();

  constructor(dimensions: MetricDimensions, sink: EmfSink, now: () => number = Date.now) {
    this.#dimensions = dimensions;
    this.#sink = sink;
    this.#now = now;
  }

  /** Adds to a counter that is summed until the next flush. */
  count(name: string, value = 1, unit: MetricUnit = 'Count'): void {
    const entry = this.#sums.get(name);
    if (entry) entry.value += value;
    else this.#sums.set(name, { unit, value });
  }

  /** Records one observation (a latency, an age); every observation is kept until the next flush. */
  observe(name: string, value: number, unit: MetricUnit = 'Milliseconds'): void {
    const entry = this.#values.get(name);
    if (entry) entry.values.push(value);
    else this.#values.set(name, { unit, values: [value] });
  }

  /** Writes what accumulated since the last flush; writes nothing when nothing happened. */
  flush(): void {
    if (this.#sums.size === 0 && this.#values.size === 0) return;
    const metrics: { Name: string; Unit: MetricUnit }[] = [];
    const fields: Record<string, unknown> = { ...this.#dimensions };
    for (const [name, { unit, value }] of this.#sums) {
      metrics.push({ Name: name, Unit: unit });
      fields[name] = value;
    }
    for (const [name, { unit, values }] of this.#values) {
      metrics.push({ Name: name, Unit: unit });
      fields[name] = values.length === 1 ? values[0] : values;
    }
    const document = {
      _aws: {
        Timestamp: this.#now(),
        CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [['stage', 'component']], Metrics: metrics }],
      },
      ...fields,
    };
    this.#sums = new Map();
    this.#values = new Map();
    this.#sink.write(JSON.stringify(document) + '\n');
  }
}
