// The apt front's periodic check and the archive keys: a suite signed by other keys than those
// that sign now (a rotation started or ended) is signed again at the next check, though its
// Valid-Until is far; the keyring served follows the keys that sign.
import { AptFront, AptPolicy } from './apt-front';
import { VerifiedView } from './verified-view';
import { AptStore, ArchiveKeyring, ArchiveSigner, SuiteRecord } from '../ports';

const NOW = new Date('2026-11-22T10:00:00Z');
const POLICY: AptPolicy = { validForSeconds: 7 * 86_400, resignFraction: 0.5, generationsKept: 3 };
const FILES = [{ path: 'main/binary-amd64/Packages', size: 0, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', sha512: 'cf83'.padEnd(128, '0') }];

/** A signer that writes which keys signed, so the records show it. */
function signer(...fingerprints: string[]): ArchiveSigner {
  return {
    fingerprints,
    publicKeyArmored: () => `keys ${fingerprints.join(' ')}`,
    signCleartext: async (text) => `${text}signed by ${fingerprints.join(' ')}\n`,
    signDetached: async () => `signed by ${fingerprints.join(' ')}`,
  };
}

/** A suite signed a day ago, well inside its validity, by `signedBy` (undefined: a record older than rotation). */
function record(suite: string, signedBy: string[] | undefined): SuiteRecord {
  const date = new Date(NOW.getTime() - 86_400_000);
  return {
    suite, release: 'Suite: x\n', inRelease: 'old', releaseGpg: 'old', date: date.toISOString(),
    validUntil: new Date(date.getTime() + POLICY.validForSeconds * 1000).toISOString(), files: FILES, previous: [],
    ...(signedBy ? { signedBy } : {}),
  };
}

function front(records: SuiteRecord[], keys: { current: ArchiveSigner }): { front: AptFront; saved: SuiteRecord[] } {
  const saved: SuiteRecord[] = [];
  const store: AptStore = {
    putIndex: async () => undefined,
    pathOfIndex: (sha256) => sha256,
    saveSuite: async (r) => void saved.push(r),
    loadSuites: async () => records,
  };
  const keyring: ArchiveKeyring = { signerAt: async () => keys.current };
  // refreshValidity reads no metadata: the verified view is never asked
  const f = new AptFront({} as VerifiedView, store, keyring, { now: () => NOW }, POLICY, async () => undefined);
  return { front: f, saved };
}

describe('AptFront#refreshValidity', () => {
  describe('when the archive keys did not change', () => {
    it('leaves a suite well inside its validity alone, also one recorded before rotation existed', async () => {
      const { front: f, saved } = front([record('stable', ['OLD']), record('legacy', undefined)], { current: signer('OLD') });
      await f.load();
      expect(await f.refreshValidity()).toEqual([]);
      expect(saved).toEqual([]);
    });
  });

  describe('when a rotation starts', () => {
    it('signs every suite again with both keys, records them, and serves both', async () => {
      const keys = { current: signer('OLD') };
      const { front: f, saved } = front([record('stable', ['OLD']), record('legacy', undefined)], keys);
      await f.load();
      expect(f.archiveKey()).toBe('keys OLD');
      keys.current = signer('OLD', 'NEW');
      expect((await f.refreshValidity()).sort()).toEqual(['legacy', 'stable']);
      expect(saved.map((r) => [r.suite, r.signedBy, r.releaseGpg])).toEqual([
        ['stable', ['OLD', 'NEW'], 'signed by OLD NEW'],
        ['legacy', ['OLD', 'NEW'], 'signed by OLD NEW'],
      ]);
      expect(saved[0].inRelease).toMatch(/signed by OLD NEW\n$/);
      expect(saved[0].date).toBe(NOW.toISOString());
      expect(f.archiveKey()).toBe('keys OLD NEW');
      expect(await f.refreshValidity()).toEqual([]);
    });
  });

  describe('when a rotation ends', () => {
    it('signs every suite again with the new key alone and serves only it', async () => {
      const keys = { current: signer('OLD', 'NEW') };
      const { front: f, saved } = front([record('stable', ['OLD', 'NEW'])], keys);
      await f.load();
      keys.current = signer('NEW');
      expect(await f.refreshValidity()).toEqual(['stable']);
      expect(saved.map((r) => r.signedBy)).toEqual([['NEW']]);
      expect(saved[0].releaseGpg).toBe('signed by NEW');
      expect(f.archiveKey()).toBe('keys NEW');
    });
  });
});
