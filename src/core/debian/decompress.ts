// Bounded decompression of control.tar. A few KiB of gzip/xz/zstd can expand to gigabytes, so
// every decoder stops as soon as its output passes the cap: we never hold more than cap plus
// one decoder chunk, and no decoder may allocate more than a fixed amount up front.
import * as zlib from 'node:zlib';
import { Blob } from 'node:buffer';
import { XzReadableStream } from 'xz-decompress';
import { Decompress as ZstdDecompress } from 'fzstd';
import { DebFormatError, MiB, formatSize } from './errors';
import { checkZstdFrames } from './zstd-frames';

export type Compression = 'none' | 'gz' | 'xz' | 'zst';

/** zstd windows above this are refused before fzstd allocates them (xz-decompress's own dictionary cap is 64 MiB too). */
const MAX_ZSTD_WINDOW = 64 * MiB;

export async function decompressBounded(data: Uint8Array, kind: Compression, cap: number, label: string): Promise<Uint8Array> {
  switch (kind) {
    case 'none':
      if (data.length > cap) throw tooLarge(label, cap, 'is');
      return data;
    case 'gz':
      return gunzip(data, cap, label);
    case 'xz':
      return unxz(data, cap, label);
    case 'zst':
      return unzstd(data, cap, label);
  }
}

function tooLarge(label: string, cap: number, verb = 'decompresses to'): DebFormatError {
  return new DebFormatError('too-large', `${label} ${verb} more than ${formatSize(cap)} (limit); is this a decompression bomb?`);
}

function gunzip(data: Uint8Array, cap: number, label: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    // maxOutputLength makes zlib stop and fail as soon as the output passes the cap.
    zlib.gunzip(data, { maxOutputLength: cap }, (error, out) => {
      if (!error) return resolve(new Uint8Array(out.buffer, out.byteOffset, out.length));
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') return reject(tooLarge(label, cap));
      const kind = code === 'Z_BUF_ERROR' ? 'truncated' : 'bad-compressed-data';
      reject(new DebFormatError(kind, `${label} is not valid gzip: ${error.message}`, { cause: error }));
    });
  });
}

/** Collects chunks, failing the moment their total passes the cap. */
class CappedSink {
  private readonly chunks: Uint8Array[] = [];
  private total = 0;
  constructor(private readonly cap: number, private readonly label: string) {}

  push(chunk: Uint8Array): void {
    this.total += chunk.length;
    if (this.total > this.cap) throw tooLarge(this.label, this.cap);
    this.chunks.push(chunk);
  }

  result(): Uint8Array {
    const out = new Uint8Array(this.total);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

// xz-embedded's error codes as xz-decompress reports them ("get_next_output failed with error code N").
const XZ_ERRORS: Record<string, string> = {
  '2': 'unsupported integrity check',
  '3': 'out of memory',
  '4': 'its dictionary is larger than the 64 MiB the decoder allows',
  '5': 'not an xz stream',
  '6': 'unsupported xz options',
  '7': 'corrupt data',
  '8': 'the stream ends early',
};

async function unxz(data: Uint8Array, cap: number, label: string): Promise<Uint8Array> {
  const sink = new CappedSink(cap, label);
  const reader = new XzReadableStream(new Blob([data]).stream() as any).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return sink.result();
      sink.push(value);
    }
  } catch (error) {
    // Always cancel: xz-decompress serialises all streams behind one mutex that only a
    // finished, failed or cancelled stream releases; a stream left open would block every later call.
    await reader.cancel().catch(() => undefined);
    if (error instanceof DebFormatError) throw error;
    const code = /error code (\d+)/.exec(String((error as Error)?.message))?.[1] ?? '';
    const why = XZ_ERRORS[code] ?? String((error as Error)?.message ?? error);
    const kind = code === '8' ? 'truncated' : code === '4' ? 'too-large' : 'bad-compressed-data';
    throw new DebFormatError(kind, `${label} is not valid xz: ${why}`, { cause: error });
  }
}

function unzstd(data: Uint8Array, cap: number, label: string): Uint8Array {
  checkZstdFrames(data, { maxWindow: MAX_ZSTD_WINDOW, maxContent: cap, label });
  const sink = new CappedSink(cap, label);
  // fzstd calls ondata once per block (at most 128 KiB); a throw from the sink stops decoding.
  const decoder = new ZstdDecompress((chunk) => sink.push(chunk.slice()));
  try {
    decoder.push(data, true);
  } catch (error) {
    if (error instanceof DebFormatError) throw error;
    const code = (error as { code?: number }).code;
    const kind = code === 5 ? 'truncated' : 'bad-compressed-data';
    throw new DebFormatError(kind, `${label} is not valid zstd: ${(error as Error)?.message ?? error}`, { cause: error });
  }
  return sink.result();
}
