/**
 * The codecs kafkajs leaves out, on plain values: frames written by the zstd and lz4 command-line
 * tools (the same libraries librdkafka uses), snappy raw and in Java's xerial framing.
 */
import { describe, expect, it } from 'vitest';
import { lz4Compress, lz4Decompress, snappyCompress, snappyDecompress, zstdDecompressBuffer } from '../../../sources/kafka/kafka-codecs.ts';

const REPEATED = 'switchyard event '.repeat(200);
// `printf … | zstd -c | base64` and `| lz4 -c | base64` (zstd 1.5, lz4 1.9, Debian 12).
const ZSTD_FROM_CLI = 'KLUv/WRIDM0AAIhzd2l0Y2h5YXJkIGV2ZW50IAEAaUr+XAJZPnsK';
const LZ4_FROM_CLI = 'BCJNGGRApykAAAD/AnN3aXRjaHlhcmQgZXZlbnQgEQD/////////////////LFB2ZW50IAAAAAAQvzzc';

describe('Kafka compression codecs', () => {
  it('zstd: decompresses a frame the zstd tool wrote', () => {
    expect(zstdDecompressBuffer(Buffer.from(ZSTD_FROM_CLI, 'base64')).toString()).toBe(REPEATED);
  });

  it('lz4: decompresses a frame the lz4 tool wrote; what it compresses comes back', () => {
    expect(lz4Decompress(Buffer.from(LZ4_FROM_CLI, 'base64')).toString()).toBe(REPEATED);
    const compressed = lz4Compress(Buffer.from(REPEATED));
    expect(compressed.length).toBeLessThan(REPEATED.length / 10);
    expect(lz4Decompress(compressed).toString()).toBe(REPEATED);
  });

  it('snappy: raw blocks, and the xerial framing of Java producers (several blocks)', () => {
    const raw = snappyCompress(Buffer.from(REPEATED));
    expect(raw.length).toBeLessThan(REPEATED.length / 10);
    expect(snappyDecompress(raw).toString()).toBe(REPEATED);
    const blocks = [snappyCompress(Buffer.from('first half, ')), snappyCompress(Buffer.from('second half'))];
    const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
    const framed = Buffer.concat([header, ...blocks.flatMap((block) => [Buffer.from([0, 0, 0, block.length]), block])]);
    expect(snappyDecompress(framed).toString()).toBe('first half, second half');
    expect(() => snappyDecompress(framed.subarray(0, framed.length - 3))).toThrow(/runs past the end/);
  });
});
