// The expiry-window fields live in the signed part of root, targets and project roles. Clients
// verify signatures over the canonical JSON of what they parsed, so a client model that dropped
// an unknown field would reject every role carrying one: tuf-js, with our linear models
// installed as the CLI installs them, must keep them byte for byte.
import { canonicalize } from '@tufjs/canonical-json';
import { Metadata, MetadataKind } from '@tufjs/models';
import {
  buildRoot, buildTargets, canonicalBytes, defaultWindowPolicy, EXPIRY_PERIOD_FIELD, keyId, SIGNING_WINDOW_FIELD, TargetsSigned, withWindowPolicy,
} from '../../core/tuf';
import { signWith, TEST_NOW, testSigner } from '../../core/tuf/testing/simulator';
import { installLinearTufjsModels } from './linear-models';

const DAY = 86_400;
const [rootKey, targetsKey, onlineKey, maintainer] = ['root', 'targets', 'online', 'maintainer'].map((l) => testSigner(`expiry-window ${l}`));
const policy = defaultWindowPolicy(365 * DAY);

const rootSigned = withWindowPolicy(
  buildRoot({ root: { keys: [rootKey.publicKey], threshold: 1 }, targets: { keys: [targetsKey.publicKey], threshold: 1 }, snapshot: { keys: [onlineKey.publicKey], threshold: 1 }, timestamp: { keys: [onlineKey.publicKey], threshold: 1 } }, TEST_NOW, 365 * DAY),
  policy,
);
const targetsSigned: TargetsSigned = withWindowPolicy(
  {
    ...buildTargets(TEST_NOW, 365 * DAY),
    delegations: { keys: { [keyId(maintainer.publicKey)]: maintainer.publicKey }, roles: [{ name: 'hello', keyids: [keyId(maintainer.publicKey)], threshold: 1, terminating: true, paths: ['hello/*/*'] }] },
  },
  policy,
);
const projectSigned: TargetsSigned = withWindowPolicy({ ...buildTargets(TEST_NOW, 365 * DAY), targets: {} }, defaultWindowPolicy(30 * DAY));

const asJson = (value: unknown) => JSON.parse(JSON.stringify(value));

installLinearTufjsModels();

describe('expiry-window fields through tuf-js (linear models installed)', () => {
  const root = Metadata.fromJSON(MetadataKind.Root, asJson(signWith(rootSigned, [rootKey])));
  const targets = Metadata.fromJSON(MetadataKind.Targets, asJson(signWith(targetsSigned, [targetsKey])));
  const project = Metadata.fromJSON(MetadataKind.Targets, asJson(signWith(projectSigned, [maintainer])));

  describe('when a role carries them', () => {
    it.each([
      ['root, verified by itself', () => root.verifyDelegate('root', root)],
      ['targets, verified by root', () => root.verifyDelegate('targets', targets)],
      ['a project role, verified by targets', () => targets.verifyDelegate('hello', project)],
    ])('%s verifies', (_name, verify) => {
      expect(verify).not.toThrow();
    });

    it.each([
      ['root', () => root, rootSigned],
      ['targets', () => targets, targetsSigned],
      ['a project role', () => project, projectSigned],
    ])('%s keeps them in the canonical bytes it re-serialises', (_name, md, signed) => {
      const json = md().toJSON() as { signed: Record<string, unknown> };
      expect(json.signed[EXPIRY_PERIOD_FIELD]).toBe(signed[EXPIRY_PERIOD_FIELD]);
      expect(json.signed[SIGNING_WINDOW_FIELD]).toBe(signed[SIGNING_WINDOW_FIELD]);
      expect(canonicalize(json.signed)).toBe(canonicalBytes(signed).toString('utf8'));
    });
  });

  describe('when a field is dropped after signing', () => {
    it('the signature no longer verifies: what the fields protect is the signed bytes', () => {
      const stripped = asJson(signWith(targetsSigned, [targetsKey]));
      delete stripped.signed[SIGNING_WINDOW_FIELD];
      expect(() => root.verifyDelegate('targets', Metadata.fromJSON(MetadataKind.Targets, stripped))).toThrow(/targets was signed by 0\/1 keys/);
    });
  });
});
