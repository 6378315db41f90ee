/** Version ids in snapshot metadata: release numbers, OpenSearch's flipped bit, and Elasticsearch's index versions. */
import { decodeVersionId, describeIndexVersion } from '../../../src/snapshot/model';

describe('decodeVersionId', () => {
  it.each([
    [5061699, { flavor: 'elasticsearch', major: 5, minor: 6, patch: 16 }],
    [7100299, { flavor: 'elasticsearch', major: 7, minor: 10, patch: 2 }],
    [136407927, { flavor: 'opensearch', major: 2, minor: 19, patch: 1 }],
    [9039001, { flavor: 'elasticsearch', major: 9 }],
  ])('reads %i', (id, expected) => {
    expect(decodeVersionId(id)).toMatchObject(expected);
  });
});

describe('describeIndexVersion', () => {
  it('names a release where the index version still is one, and only the major after 8.10', () => {
    expect(describeIndexVersion(8100099)).toBe('8.10.0');
    expect(describeIndexVersion(8536000)).toBe('Elasticsearch 8.11 or later 8.x (index version 8536000)');
    expect(describeIndexVersion(9039001)).toBe('Elasticsearch 9.x (index version 9039001)');
  });
});
