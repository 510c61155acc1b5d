// Damaged packages must fail as DebFormatError and nothing else, and must not hang: the
// parser's whole contract towards untrusted input, checked on 1000 random damages.
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { MINIMAL_CONTROL, TestCompression, arArchive, compress, singleFileTar, tarArchive } from '../../../test/support/deb-builder';
import { DebFormatError, parseDeb } from './deb';
import { DEB_ERROR_CODES, type DebErrorCode } from './errors';

async function outcome(bytes: Uint8Array): Promise<DebErrorCode | 'ok'> {
  try {
    await parseDeb(bytes);
    return 'ok';
  } catch (error) {
    if (error instanceof DebFormatError) return error.code;
    throw error; // anything else fails the property
  }
}

describe('parseDeb on damaged input (property)', () => {
  const control = `${MINIMAL_CONTROL}Depends: libc6 (>= 2.36), foo | bar\nDescription: short\n long\n .\n more\n`;
  const tars: Partial<Record<TestCompression, Uint8Array>> = {};
  let plainTar: Uint8Array;
  beforeAll(async () => {
    plainTar = await tarArchive([{ name: './', type: 'directory' }, { name: './control', data: control }]);
    for (const c of ['none', 'gz', 'xz', 'zst'] as const) tars[c] = compress(plainTar, c);
  });
  const debWith = (compression: TestCompression, member: Uint8Array) =>
    arArchive([
      { name: 'debian-binary', data: '2.0\n' },
      { name: `control.tar${compression === 'none' ? '' : `.${compression}`}`, data: member },
      { name: 'data.tar.gz', data: 'opaque' },
    ]);
  // positions are integers taken modulo the length: fc.double clusters at 0 and 1
  const damage = (bytes: Uint8Array, flips: [number, number][], cut: number | undefined): Uint8Array => {
    const out = Buffer.from(bytes);
    for (const [where, mask] of flips) out[where % out.length] ^= mask;
    return cut === undefined ? out : out.subarray(0, cut % (out.length + 1));
  };
  // Damage one layer at a time, so each reader (ar, each decompressor, tar, deb822) sees
  // mostly-valid input around the damage instead of failing at the first byte.
  const arbitraryInput = fc
    .record({
      layer: fc.constantFrom('file', 'control-member', 'tar', 'control-text'),
      compression: fc.constantFrom<TestCompression>('none', 'gz', 'xz', 'zst'),
      flips: fc.array(fc.tuple(fc.nat({ max: 1 << 20 }), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
      cut: fc.option(fc.nat({ max: 1 << 20 }), { nil: undefined, freq: 3 }),
    })
    .map(({ layer, compression, flips, cut }) => {
      const member = tars[compression]!;
      if (layer === 'file') return damage(debWith(compression, member), flips, cut);
      if (layer === 'control-member') return debWith(compression, damage(member, flips, cut));
      // inner layers are re-wrapped in gzip (node:zlib, fast) so the damage reaches the reader
      const inner = layer === 'tar' ? damage(plainTar, flips, cut) : damage(Buffer.from(control), flips, cut);
      const tar = layer === 'tar' ? inner : singleFileTar('./control', inner);
      return debWith('gz', zlib.gzipSync(tar));
    });

  it('resolves or rejects with DebFormatError, never another error and never hangs', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryInput, async (input) => {
        // outcome() rethrows anything that is not a DebFormatError, failing the property
        expect(['ok', ...DEB_ERROR_CODES]).toContain(await outcome(input));
      }),
      { numRuns: 1000 },
    );
  });
});
