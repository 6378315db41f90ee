/** Elasticsearch 9.2+ indices that keep vectors out of `_source`: found from their metadata, refused by name. */
import { decodeVersionId, type IndexMetadata } from '../../../src/snapshot/model';
import { assertSourceHoldsVectors, vectorsLeftOutOfSource } from '../../../src/snapshot/excluded-vectors';

const mappings = {
  _doc: {
    properties: {
      title: { type: 'text' },
      embedding: { type: 'dense_vector', dims: 3 },
      chunks: { type: 'nested', properties: { sparse: { type: 'sparse_vector' } } },
    },
  },
};

function metadata(created: number, settings: Record<string, unknown> = {}): IndexMetadata {
  return { name: 'docs', id: 'x', numberOfShards: 1, settings, mappings, aliases: {}, createdVersion: decodeVersionId(created) };
}

describe('vectorsLeftOutOfSource', () => {
  it('names the vector fields of an index created by Elasticsearch 9.2 with the default setting', () => {
    expect(vectorsLeftOutOfSource(metadata(9039001))).toEqual(['embedding', 'chunks.sparse']);
    expect(() => assertSourceHoldsVectors(metadata(9039001))).toThrow(
      /index docs leaves its vector fields \(embedding, chunks\.sparse\) out of the stored _source .* index\.mapping\.exclude_source_vectors: false/,
    );
  });

  it('finds none where _source keeps them: 9.1 and older, the setting turned off, OpenSearch', () => {
    expect(vectorsLeftOutOfSource(metadata(9033000))).toEqual([]);
    expect(vectorsLeftOutOfSource(metadata(8536000))).toEqual([]);
    expect(vectorsLeftOutOfSource(metadata(9039001, { 'index.mapping.exclude_source_vectors': 'false' }))).toEqual([]);
    expect(vectorsLeftOutOfSource({ ...metadata(9039001), createdVersion: decodeVersionId(136407927) })).toEqual([]);
    expect(() => assertSourceHoldsVectors(metadata(9033000))).not.toThrow();
  });
});
