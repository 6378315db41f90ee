/**
 * Index metadata conversion: a snapshot's settings lose what belongs to the source cluster, mappings lose
 * their type, and indices with several types (Elasticsearch 5) are merged or split as asked.
 */
import type { IndexMetadata } from '../../../src/snapshot';
import { cleanSettings, targetIndexFor, targetIndices } from '../../../src/backfill/index-metadata';

function metadata(overrides: Partial<IndexMetadata>): IndexMetadata {
  return { name: 'books', id: 'x', numberOfShards: 2, settings: {}, mappings: {}, aliases: {}, ...overrides };
}

describe('cleanSettings', () => {
  it('drops ids, versions, dates and allocation/resize state, and keeps what shapes the index', () => {
    // GIVEN the flat settings of an index that was shrunk on Elasticsearch 7.10
    const settings = {
      'index.uuid': 'Rawk5jN7T6mhHACnMjj5Sg',
      'index.version.created': '7100299',
      'index.version.upgraded': '7100299',
      'index.creation_date': '1711120627919',
      'index.provided_name': 'books',
      'index.routing.allocation.initial_recovery._id': 'node-1',
      'index.routing.allocation.include._tier_preference': 'data_content',
      'index.resize.source.name': 'books-big',
      'index.resize.source.uuid': 'abc',
      'index.shrink.source.name': 'books-big',
      'index.blocks.write': 'true',
      'index.number_of_shards': '2',
      'index.number_of_replicas': '1',
      'index.refresh_interval': '5s',
      'index.analysis.analyzer.folded.type': 'custom',
      'index.analysis.analyzer.folded.tokenizer': 'standard',
      'index.codec': 'best_compression',
    };

    // THEN only the index's own shape remains
    expect(cleanSettings(settings)).toEqual({
      'index.number_of_shards': '2',
      'index.number_of_replicas': '1',
      'index.refresh_interval': '5s',
      'index.analysis.analyzer.folded.type': 'custom',
      'index.analysis.analyzer.folded.tokenizer': 'standard',
      'index.codec': 'best_compression',
    });
  });
});

describe('targetIndices', () => {
  it('takes the single type out of the mapping and keeps settings and aliases', () => {
    const meta = metadata({
      settings: { 'index.number_of_shards': '2', 'index.uuid': 'u' },
      mappings: { _doc: { _routing: { required: true }, properties: { title: { type: 'text' } } } },
      aliases: { current: {} },
    });
    expect(targetIndices(meta)).toEqual([
      { name: 'books', body: { settings: { 'index.number_of_shards': '2' }, mappings: { _routing: { required: true }, properties: { title: { type: 'text' } } }, aliases: { current: {} } }, notes: [] },
    ]);
  });

  it('maps Elasticsearch-only field types to their OpenSearch equivalents and drops what OpenSearch lacks, saying so', () => {
    // GIVEN an Elasticsearch 8 logs index with flattened labels, a version field, subobjects off and an index mode
    const meta = metadata({
      settings: { 'index.number_of_shards': '1', 'index.mode': 'logsdb' },
      mappings: {
        _doc: {
          subobjects: false,
          properties: {
            labels: { type: 'flattened', depth_limit: 5, ignore_above: 100 },
            app: { properties: { release: { type: 'version' }, hits: { type: 'counted_keyword' }, tags: { type: 'keyword' } } },
            vector: { type: 'dense_vector', dims: 3 },
          },
        },
      },
    });

    // WHEN converted
    const [index] = targetIndices(meta);

    // THEN the types OpenSearch has an equivalent for are mapped to it, the rest is left for OpenSearch to refuse
    expect(index.body.settings).toEqual({ 'index.number_of_shards': '1' });
    expect(index.body.mappings).toEqual({
      properties: {
        labels: { type: 'flat_object' },
        app: { properties: { release: { type: 'keyword' }, hits: { type: 'keyword' }, tags: { type: 'keyword' } } },
        vector: { type: 'dense_vector', dims: 3 },
      },
    });
    // AND every change is named, with what it costs
    expect(index.notes).toEqual([
      'setting index.mode: "logsdb" dropped (OpenSearch has no such setting)',
      'mapping root: subobjects dropped (dotted field names are read as objects)',
      'field labels: flattened mapped as flat_object (its parameters (depth_limit, ignore_above, null_value, …) are dropped)',
      'field app.release: version mapped as keyword (ranges and sorting follow string order, not version order)',
      'field app.hits: counted_keyword mapped as keyword (value counts are not kept)',
    ]);
  });

  it('removes _all and include_in_all, which OpenSearch refuses, at any depth', () => {
    const meta = metadata({
      mappings: {
        doc: {
          _all: { enabled: true },
          properties: { name: { type: 'text', include_in_all: false, fields: { raw: { type: 'keyword', include_in_all: false } } }, address: { properties: { city: { type: 'text', include_in_all: true } } } },
        },
      },
    });
    expect(targetIndices(meta)[0].body.mappings).toEqual({ properties: { name: { type: 'text', fields: { raw: { type: 'keyword' } } }, address: { properties: { city: { type: 'text' } } } } });
  });

  it('gives an index without mappings an empty mapping', () => {
    expect(targetIndices(metadata({ mappings: {} }))[0].body.mappings).toEqual({});
  });

  describe('an Elasticsearch 5 index with two types', () => {
    const meta = metadata({
      name: 'library',
      mappings: {
        _default_: { properties: { ignored: { type: 'keyword' } } },
        book: { _all: { enabled: true }, properties: { title: { type: 'text' } } },
        author: { properties: { name: { type: 'keyword' } } },
      },
      aliases: { lib: {} },
    });

    it('merge: one index whose mapping holds both types\' fields; every document goes there', () => {
      expect(targetIndices(meta, 'merge')).toEqual([{ name: 'library', body: { settings: {}, mappings: { properties: { title: { type: 'text' }, name: { type: 'keyword' } } }, aliases: { lib: {} } }, notes: [] }]);
      expect(targetIndexFor(meta, 'merge', 'book')).toBe('library');
      expect(targetIndexFor(meta, 'merge', 'author')).toBe('library');
    });

    it('split: one index per type named <index>_<type>, each document in its type\'s index', () => {
      const split = targetIndices(meta, 'split');
      expect(split.map((t) => [t.name, t.type, t.body.mappings])).toEqual([
        ['library_book', 'book', { properties: { title: { type: 'text' } } }],
        ['library_author', 'author', { properties: { name: { type: 'keyword' } } }],
      ]);
      expect(targetIndexFor(meta, 'split', 'book')).toBe('library_book');
      expect(targetIndexFor(meta, 'split', 'author')).toBe('library_author');
    });
  });

  it('drops the _parent link of an Elasticsearch 5 child type, which OpenSearch refuses, with either rule', () => {
    // GIVEN books declared children of authors
    const meta = metadata({
      name: 'library',
      mappings: { author: { properties: { name: { type: 'keyword' } } }, book: { _parent: { type: 'author' }, _routing: { required: true }, properties: { title: { type: 'text' } } } },
    });

    // WHEN split THEN the book index keeps its required routing but not the link
    expect(targetIndices(meta, 'split').map((t) => t.body.mappings)).toEqual([
      { properties: { name: { type: 'keyword' } } },
      { _routing: { required: true }, properties: { title: { type: 'text' } } },
    ]);
    // AND merged it is the union of the fields only
    expect(targetIndices(meta, 'merge')[0].body.mappings).toEqual({ properties: { name: { type: 'keyword' }, title: { type: 'text' } } });
  });

  it('sends every document of a single-type index to the index itself, whatever its type name', () => {
    const meta = metadata({ mappings: { doc: { properties: {} } } });
    expect(targetIndexFor(meta, 'split', 'doc')).toBe('books');
    expect(targetIndexFor(meta, 'merge', undefined)).toBe('books');
  });
});
