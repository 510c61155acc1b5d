// Cross-check with the client's own models: what the simulator (that is, the core's build,
// sign and serialise functions) produces must be what @tufjs/models (tuf-js) accepts.
// tuf-js's Updater needs an HTTP server; the end-to-end tests under test/ run it for real.
import { Readable } from 'node:stream';
import { Metadata, MetadataKind } from '@tufjs/models';
import { canonicalBytes } from './canonical';
import { RepositorySimulator, TEST_NOW, testSigner } from './testing/simulator';

const load = <K extends MetadataKind>(kind: K, bytes: Uint8Array) => Metadata.fromJSON(kind as MetadataKind.Root, JSON.parse(Buffer.from(bytes).toString('utf8')));

function repository(): RepositorySimulator {
  const sim = new RepositorySimulator({ keys: { root: 2 }, thresholds: { root: 2 } });
  sim.addProject('hello', 2, 2);
  sim.addProject('g++', 1, 1);
  sim.addTarget('hello', 'hello/1.0/hello_1.0_amd64.deb', 'hello deb');
  sim.publish();
  return sim;
}

describe('@tufjs/models #verifyDelegate', () => {
  describe('when the simulator publishes a genuine state', () => {
    const sim = repository();
    const state = sim.state();
    const root = load(MetadataKind.Root, state.roots[0]);
    const timestamp = Metadata.fromJSON(MetadataKind.Timestamp, JSON.parse(state.timestamp.toString()));
    const snapshot = Metadata.fromJSON(MetadataKind.Snapshot, JSON.parse(state.snapshot.toString()));
    const targets = Metadata.fromJSON(MetadataKind.Targets, JSON.parse(state.targets.toString()));

    it.each([
      ['root', () => root],
      ['timestamp', () => timestamp],
      ['snapshot', () => snapshot],
      ['targets', () => targets],
    ])('root verifies %s', (role, md) => {
      expect(() => root.verifyDelegate(role, md())).not.toThrow();
    });

    it.each([['hello'], ['g++']])('targets verifies the project role %s', (name) => {
      const project = Metadata.fromJSON(MetadataKind.Targets, JSON.parse(state.delegated[name].toString()));
      expect(() => targets.verifyDelegate(name, project)).not.toThrow();
    });

    it('has whole-second expiries tuf-js reads as not expired', () => {
      for (const md of [root, timestamp, snapshot, targets]) expect(md.signed.isExpired(TEST_NOW)).toBe(false);
    });

    it('pins the snapshot bytes in the timestamp as tuf-js checks them', () => {
      expect(() => timestamp.signed.snapshotMeta.verify(Buffer.from(state.snapshot))).not.toThrow();
      expect(() => snapshot.signed.meta['targets.json'].verify(Buffer.from(state.targets))).not.toThrow();
    });

    it('delegates hello/*/* so tuf-js finds the project\'s files', async () => {
      const role = targets.signed.delegations!.roles!.hello;
      expect(role.isDelegatedPath('hello/1.0/hello_1.0_amd64.deb')).toBe(true);
      const project = Metadata.fromJSON(MetadataKind.Targets, JSON.parse(state.delegated.hello.toString()));
      await expect(project.signed.targets['hello/1.0/hello_1.0_amd64.deb'].verify(Readable.from([Buffer.from('hello deb')]))).resolves.toBeUndefined();
    });

    it('round-trips through tuf-js without changing a byte of the canonical signed part', () => {
      const ours = JSON.parse(state.targets.toString());
      expect(canonicalBytes((targets.toJSON() as typeof ours).signed).equals(canonicalBytes(ours.signed))).toBe(true);
    });
  });

  describe('when a project role is signed by 1 of its 2 maintainers', () => {
    it('tuf-js refuses it too', () => {
      const sim = repository();
      sim.publish({ tamper: { hello: () => undefined }, signedBy: { hello: [sim.maintainers.hello[0]] } });
      const state = sim.state();
      const targets = Metadata.fromJSON(MetadataKind.Targets, JSON.parse(state.targets.toString()));
      const project = Metadata.fromJSON(MetadataKind.Targets, JSON.parse(state.delegated.hello.toString()));
      expect(() => targets.verifyDelegate('hello', project)).toThrow(/was signed by [01]\/2 keys/);
    });
  });

  describe('when root rotates its keys', () => {
    it('tuf-js verifies root v2 by v1 and by itself', () => {
      const sim = repository();
      sim.rotateRoot({ root: [testSigner('new-root-1'), testSigner('new-root-2')] });
      const [v1, v2] = sim.state().roots.map((b) => load(MetadataKind.Root, b));
      expect(() => v1.verifyDelegate('root', v2)).not.toThrow();
      expect(() => v2.verifyDelegate('root', v2)).not.toThrow();
    });

    it('tuf-js refuses root v2 signed only by the new keys', () => {
      const sim = repository();
      const fresh = [testSigner('new-root-1'), testSigner('new-root-2')];
      sim.rotateRoot({ root: fresh }, fresh);
      const [v1, v2] = sim.state().roots.map((b) => load(MetadataKind.Root, b));
      expect(() => v1.verifyDelegate('root', v2)).toThrow(/was signed by [01]\/2 keys/);
    });
  });
});
