// fzstd allocates each frame's whole window (up to 2 GiB) the moment it reads the frame header,
// before any output exists to count. So before decoding, walk every frame header (RFC 8878
// section 3.1) and refuse windows and declared content sizes above the limits: a forged header
// must cost us nothing. The walk only reads headers and block sizes; it decodes nothing.
import { DebFormatError, formatSize } from './errors';

const ZSTD_MAGIC = 0xfd2fb528;
const MAX_BLOCK = 128 * 1024;

export interface ZstdLimits {
  /** the largest window a frame may ask for (the memory fzstd allocates up front) */
  maxWindow: number;
  /** the largest content size a frame may declare (the caller's output cap) */
  maxContent: number;
  label: string;
}

export function checkZstdFrames(data: Uint8Array, limits: ZstdLimits): void {
  let offset = 0;
  if (data.length === 0) throw bad(limits, 'it is empty');
  while (offset < data.length) {
    need(data, offset, 8, limits);
    const magic = u32(data, offset);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      offset += 8 + u32(data, offset + 4); // skippable frame
      need(data, offset, 0, limits);
    } else if (magic === ZSTD_MAGIC) {
      offset = skipBlocks(data, readFrameHeader(data, offset, limits), limits);
    } else {
      throw bad(limits, `unknown frame magic 0x${magic.toString(16)} at byte ${offset}`);
    }
  }
}

interface FrameStart {
  /** offset of the first block header */
  blocks: number;
  checksum: boolean;
}

function readFrameHeader(data: Uint8Array, offset: number, limits: ZstdLimits): FrameStart {
  const flags = data[offset + 4];
  const singleSegment = (flags >> 5) & 1;
  const dictBytes = [0, 1, 2, 4][flags & 3];
  const fcsField = flags >> 6;
  if (flags & 8) throw bad(limits, 'reserved frame header bit set');
  const fcsBytes = fcsField ? 1 << fcsField : singleSegment;
  let p = offset + 5 + (singleSegment ? 0 : 1);
  need(data, p, dictBytes + fcsBytes, limits);
  if (readLE(data, p, dictBytes) !== 0) throw bad(limits, 'frames needing a zstd dictionary are not supported');
  p += dictBytes;
  const contentSize = readLE(data, p, fcsBytes) + (fcsField === 1 ? 256 : 0);
  p += fcsBytes;
  if (fcsBytes > 0 && contentSize > limits.maxContent) {
    throw new DebFormatError('too-large', `${limits.label} declares ${formatSize(contentSize)} of content, more than the ${formatSize(limits.maxContent)} limit; is this a decompression bomb?`);
  }
  const descriptor = data[offset + 5];
  const windowLog = 10 + (descriptor >> 3);
  const window = singleSegment ? contentSize : 2 ** windowLog + (2 ** windowLog / 8) * (descriptor & 7);
  if (window > limits.maxWindow) {
    throw new DebFormatError('too-large', `${limits.label} asks for a ${formatSize(window)} zstd window, more than the ${formatSize(limits.maxWindow)} limit`);
  }
  return { blocks: p, checksum: ((flags >> 2) & 1) === 1 };
}

/** Returns the offset just past the frame. */
function skipBlocks(data: Uint8Array, frame: FrameStart, limits: ZstdLimits): number {
  let p = frame.blocks;
  for (;;) {
    need(data, p, 3, limits);
    const header = data[p] | (data[p + 1] << 8) | (data[p + 2] << 16);
    const type = (header >> 1) & 3;
    const size = header >> 3;
    if (type === 3) throw bad(limits, `reserved block type at byte ${p}`);
    if (size > MAX_BLOCK) throw bad(limits, `block of ${size} bytes at byte ${p} exceeds the 128 KiB maximum`);
    p += 3 + (type === 1 ? 1 : size); // an RLE block stores one byte
    need(data, p, 0, limits);
    if (header & 1) break; // last block
  }
  p += frame.checksum ? 4 : 0;
  need(data, p, 0, limits);
  return p;
}

function need(data: Uint8Array, offset: number, n: number, limits: ZstdLimits): void {
  if (offset + n > data.length) {
    throw new DebFormatError('truncated', `${limits.label}: the zstd stream ends early (${data.length} bytes, a frame needs ${offset + n})`);
  }
}

function bad(limits: ZstdLimits, why: string): DebFormatError {
  return new DebFormatError('bad-compressed-data', `${limits.label} is not valid zstd: ${why}`);
}

function u32(data: Uint8Array, p: number): number {
  return (data[p] | (data[p + 1] << 8) | (data[p + 2] << 16) | (data[p + 3] << 24)) >>> 0;
}

/** Little-endian, up to 8 bytes, exact up to 2^53 (larger values exceed every limit anyway). */
function readLE(data: Uint8Array, p: number, n: number): number {
  let value = 0;
  for (let i = n - 1; i >= 0; i--) value = value * 256 + data[p + i];
  return value;
}
