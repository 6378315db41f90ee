import { bufferSource, sliceSource } from '../../../src/common/byte-source';

describe('byte sources', () => {
  it('reads a slice of a buffer and names the slice in range errors', async () => {
    // GIVEN a source of 10 bytes and a slice of its middle
    const source = bufferSource(Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), 'ten');
    const slice = sliceSource(source, 2, 5, 'ten[2..7)');

    // WHEN reading inside and outside the slice
    const bytes = await slice.read(1, 3);

    // THEN offsets are relative to the slice, and out-of-range reads name it
    expect(Array.from(bytes)).toEqual([3, 4]);
    await expect(slice.read(4, 6)).rejects.toThrow(/ten\[2\.\.7\)/);
  });
});
