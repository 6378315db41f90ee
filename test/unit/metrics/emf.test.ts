import { EmfEmitter } from '../../../src/metrics/emf';
import { BACKFILL_METRICS } from '../../../src/metrics/names';

describe('EmfEmitter', () => {
  it('writes one EMF document with summed counters and observations, then starts over', () => {
    // GIVEN an emitter writing to an array
    const lines: string[] = [];
    const emf = new EmfEmitter({ stage: 'dev', component: 'backfill' }, { write: (l) => lines.push(l) }, () => 1000);

    // WHEN counting twice and observing once, then flushing twice
    emf.count(BACKFILL_METRICS.documentsMigrated, 10);
    emf.count(BACKFILL_METRICS.documentsMigrated, 5);
    emf.observe(BACKFILL_METRICS.bulkLatency, 42);
    emf.flush();
    emf.flush();

    // THEN one document carries both metrics under the namespace and dimensions
    expect(lines).toHaveLength(1);
    const doc = JSON.parse(lines[0]);
    expect(doc.DocumentsMigrated).toBe(15);
    expect(doc.BulkLatency).toBe(42);
    expect(doc.stage).toBe('dev');
    expect(doc._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: 'MigrationAssistant',
      Dimensions: [['stage', 'component']],
      Metrics: [
        { Name: 'DocumentsMigrated', Unit: 'Count' },
        { Name: 'BulkLatency', Unit: 'Milliseconds' },
      ],
    });
  });
});
