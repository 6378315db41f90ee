/** The text of `clusters cat-indices`: the `_cat/indices` layout (header, numbers right-aligned), per cluster. */
import { catIndices } from '../../../src/console/commands/clusters/cat-indices';

const row = (index: string, docs: string, size: string) => ({ health: 'green', status: 'open', index, uuid: 'u1', pri: '1', rep: '0', 'docs.count': docs, 'docs.deleted': '0', 'store.size': size, 'pri.store.size': size });

it('renders both clusters with the stale-data warning when not refreshed', () => {
  const text = catIndices.text({ refreshed: false, source_cluster: [row('logs', '1200', '52341'), row('a', '7', '900')], target_cluster: [] });
  expect(text).toBe(
    [
      '',
      'WARNING: Cluster information may be stale. Use --refresh to update.',
      'SOURCE CLUSTER',
      'health status index uuid pri rep docs.count docs.deleted store.size pri.store.size',
      'green  open   logs  u1     1   0       1200            0      52341          52341',
      'green  open   a     u1     1   0          7            0        900            900',
      'TARGET CLUSTER',
      'health status index uuid pri rep docs.count docs.deleted store.size pri.store.size',
      '',
    ].join('\n'),
  );
});

it('leaves out the warning after --refresh and a cluster that is not configured', () => {
  expect(catIndices.text({ refreshed: true, target_cluster: [row('x', '1', '10')] })).toBe(
    'TARGET CLUSTER\nhealth status index uuid pri rep docs.count docs.deleted store.size pri.store.size\ngreen  open   x     u1     1   0          1            0         10             10\n',
  );
});
