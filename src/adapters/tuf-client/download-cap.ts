// A cap on every metadata download of a tuf-js Updater, for the apt method and the CLI alike.
import { Fetcher, Updater } from 'tuf-js';

/** Who reads (for messages), and what to do about a repository that is genuinely larger. */
export interface CapWording {
  reader: string;
  remedy: string;
}

/**
 * Every metadata download of `updater` stops at `cap` bytes, whatever length the signed parent
 * claims. tuf-js reads a snapshot or targets role up to the length its parent lists, and those
 * parents are signed with the server's online keys: a server taken over could claim a terabyte and
 * stream it (test/attacks/apt-method-attacks.test.ts, server-attacks.test.ts). Root and timestamp have tuf-js's own caps.
 */
export function capDownloads(updater: Updater, cap: number, wording: CapWording): void {
  const holder = updater as unknown as { fetcher: Fetcher };
  const inner = holder.fetcher;
  holder.fetcher = {
    downloadBytes: (url, claimed) => withinCap(url, claimed, cap, wording, (max) => inner.downloadBytes(url, max)),
    downloadFile: (url, claimed, handler) => withinCap(url, claimed, cap, wording, (max) => inner.downloadFile(url, max, handler)),
  };
}

async function withinCap<T>(url: string, claimed: number, cap: number, wording: CapWording, download: (max: number) => Promise<T>): Promise<T> {
  if (claimed <= cap) return download(claimed);
  try {
    return await download(cap);
  } catch (e) {
    if (!(e instanceof Error) || e.message !== 'Max length reached') throw e;
    const file = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? url);
    throw new Error(
      `${file} is longer than ${cap} bytes, the most ${wording.reader} reads for one metadata file, though the signed metadata claims ${claimed} (${wording.remedy})`,
    );
  }
}

