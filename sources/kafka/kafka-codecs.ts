/**
 * The compression codecs kafkajs leaves out (it ships gzip only), so that a KafkaSource reads
 * records that Java, librdkafka (kcat) or Go producers compressed with snappy, lz4 or zstd, and a
 * KafkaSink may compress with snappy or lz4. Pure JavaScript (snappyjs, lz4js, fzstd): nothing to
 * build at install time. zstd is decompressed only (fzstd has no compressor).
 *
 * Framing, as Kafka writes it:
 * - snappy: raw snappy blocks (librdkafka), or xerial's stream (Java's SnappyOutputStream): the
 *   8-byte magic 0x82 "SNAPPY" 0x00, two 4-byte versions, then [4-byte big-endian length][block]…
 * - lz4: the LZ4 frame format (KIP-57 fixed the header checksum for magic v1+; record batches are v2)
 * - zstd: a zstd frame
 */
import { decompress as zstdDecompress } from 'fzstd';
// kafkajs is CommonJS, and Node's ESM loader does not find these two among its named exports.
import kafkajs from 'kafkajs';
import * as lz4 from 'lz4js';
import * as snappy from 'snappyjs';

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;

export function snappyDecompress(data: Buffer): Buffer {
  if (data.length < XERIAL_HEADER_BYTES || !data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) return Buffer.from(snappy.uncompress(data));
  const blocks: Buffer[] = [];
  for (let at = XERIAL_HEADER_BYTES; at < data.length; ) {
    if (at + 4 > data.length) throw new Error(`snappy (xerial framing): a block length is cut off at byte ${at} of ${data.length}`);
    const length = data.readUInt32BE(at);
    at += 4;
    if (at + length > data.length) throw new Error(`snappy (xerial framing): a block of ${length} bytes at byte ${at} runs past the end (${data.length})`);
    blocks.push(Buffer.from(snappy.uncompress(data.subarray(at, at + length))));
    at += length;
  }
  return Buffer.concat(blocks);
}

export function snappyCompress(data: Buffer): Buffer {
  return Buffer.from(snappy.compress(data));
}

export function lz4Decompress(data: Buffer): Buffer {
  return Buffer.from(lz4.decompress(data));
}

export function lz4Compress(data: Buffer): Buffer {
  return Buffer.from(lz4.compress(data));
}

export function zstdDecompressBuffer(data: Buffer): Buffer {
  return Buffer.from(zstdDecompress(data));
}

interface Encoder {
  readonly buffer: Buffer;
}

let registered = false;

/** Installs the codecs into kafkajs (process-wide, once). */
export function registerKafkaCodecs(): void {
  if (registered) return;
  registered = true;
  const { CompressionCodecs, CompressionTypes } = kafkajs;
  CompressionCodecs[CompressionTypes.Snappy] = () => ({
    compress: async (encoder: Encoder) => snappyCompress(encoder.buffer),
    decompress: async (buffer: Buffer) => snappyDecompress(buffer),
  });
  CompressionCodecs[CompressionTypes.LZ4] = () => ({
    compress: async (encoder: Encoder) => lz4Compress(encoder.buffer),
    decompress: async (buffer: Buffer) => lz4Decompress(buffer),
  });
  CompressionCodecs[CompressionTypes.ZSTD] = () => ({
    compress: async () => {
      throw new Error('zstd compression is not available in Switchyard (records compressed with zstd are read; use gzip, snappy or lz4 to write)');
    },
    decompress: async (buffer: Buffer) => zstdDecompressBuffer(buffer),
  });
}
