import { createHash } from 'node:crypto';
import { computeSnapshot, computeTimestamp, Envelope, serialize, Signer, TargetsSigned } from '../tuf';
import { RepositorySimulator, signWith, testSigner } from '../tuf/testing/simulator';
import { AuditCommit, AuditOptions, HistoryAudit } from './history';
import { AuditReport } from './report';
import { findingLine, renderReport, transitionLine, verdict } from './render';

/**
 * Turns a simulated repository into main's history: one commit per `commit()`, holding the role
 * files that differ from the previous commit. `edit` rewrites files before committing, as an
 * attacker writing to the git repository would; `reseal` then re-signs snapshot and timestamp
 * over the edited files with the online keys (a compromised server holds those).
 */
class History {
  readonly commits: AuditCommit[] = [];
  private previous: Record<string, Uint8Array> = {};

  constructor(readonly sim: RepositorySimulator) {
    this.commit();
  }

  files(): Record<string, Uint8Array> {
    const s = this.sim.state();
    return { root: s.roots[s.roots.length - 1], targets: s.targets, snapshot: s.snapshot, timestamp: s.timestamp, ...s.delegated };
  }

  commit(edit?: (files: Record<string, Uint8Array | null>) => void, extra: Partial<AuditCommit> = {}): AuditCommit {
    const files: Record<string, Uint8Array | null> = this.files();
    edit?.(files);
    const changed: Record<string, Uint8Array | null> = {};
    for (const role of new Set([...Object.keys(this.previous), ...Object.keys(files)])) {
      const now = files[role] ?? null;
      const before = this.previous[role];
      if (now === null ? before !== undefined : before === undefined || !Buffer.from(now).equals(before)) changed[role] = now;
    }
    const oid = createHash('sha1').update(`commit ${this.commits.length}`).digest('hex');
    const commit: AuditCommit = { oid, parents: this.commits.length ? [this.commits[this.commits.length - 1].oid] : [], when: this.sim.now, changed, ...extra };
    this.commits.push(commit);
    this.previous = Object.fromEntries(Object.entries(files).filter(([, b]) => b !== null)) as Record<string, Uint8Array>;
    return commit;
  }

  /** New snapshot and timestamp over `files` as edited, signed with the online keys. */
  reseal(files: Record<string, Uint8Array | null>): void {
    const meta: Record<string, { version: number; length: number }> = {};
    for (const [role, bytes] of Object.entries(files)) {
      if (bytes === null || ['root', 'snapshot', 'timestamp'].includes(role)) continue;
      meta[role] = { version: (JSON.parse(Buffer.from(bytes).toString('utf8')) as Envelope).signed.version, length: bytes.length };
    }
    const removed = Object.entries(files).filter(([, b]) => b === null).map(([r]) => r);
    const snapshot = signWith(computeSnapshot(this.sim.snapshot.signed, meta, removed, this.sim.now, 86_400), this.sim.signers.snapshot);
    const timestamp = signWith(computeTimestamp(this.sim.timestamp.signed, snapshot.signed.version, serialize(snapshot), this.sim.now, 3600), this.sim.signers.timestamp);
    this.sim.snapshot = snapshot;
    this.sim.timestamp = timestamp;
    files.snapshot = serialize(snapshot);
    files.timestamp = serialize(timestamp);
  }

  /** Commits a project version built from the current one by `change`, signed by `signers`, resealed. */
  forge(project: string, signers: Signer[], change: (signed: TargetsSigned) => void = () => undefined, bumpVersion = true): AuditCommit {
    return this.commit((files) => {
      const signed = structuredClone(this.sim.projects[project].signed);
      if (bumpVersion) signed.version += 1;
      change(signed);
      files[project] = serialize(signWith(signed, signers));
      this.reseal(files);
    });
  }

  audit(options: AuditOptions = {}): AuditReport {
    const audit = new HistoryAudit(options);
    for (const c of this.commits) audit.add(c);
    return audit.finish();
  }
}

const TARGET = 'hello/1.0/hello_1.0_amd64.deb';

/** root v1, a 2-maintainer project with threshold 1, two versions of it. */
function genuine(): History {
  const sim = new RepositorySimulator();
  const h = new History(sim);
  sim.addProject('hello', 2, 1);
  sim.publish();
  h.commit();
  sim.addTarget('hello', TARGET, 'hello 1.0');
  sim.publish();
  h.commit();
  sim.addTarget('hello', 'hello/1.1/hello_1.1_amd64.deb', 'hello 1.1');
  sim.publish();
  h.commit();
  return h;
}

const violations = (r: AuditReport) => r.findings.filter((f) => f.severity === 'violation').map((f) => ({ rule: f.rule, index: f.index, message: f.message }));

describe('#HistoryAudit', () => {
  describe('when the history is genuine', () => {
    it('passes and reports every role, its versions and its signers', () => {
      const h = genuine();
      const r = h.audit();
      expect(violations(r)).toEqual([]);
      expect(r).toMatchObject({ ok: true, commits: 4, merges: 0, head: h.commits[3].oid, violations: 0, warnings: 0 });
      expect(r.roles.map((x) => [x.role, x.first, x.last, x.versions])).toEqual([
        ['root', 1, 1, 1], ['targets', 1, 2, 2], ['snapshot', 1, 4, 4], ['timestamp', 1, 4, 4], ['hello', 1, 3, 3],
      ]);
      expect(r.roles.find((x) => x.role === 'hello')!.signers).toEqual(h.sim.maintainers.hello.map((m) => m.keyid).sort());
      expect(r.projects).toEqual([
        expect.objectContaining({ name: 'hello', status: 'published', version: 3, targets: 2, threshold: 1, maintainers: h.sim.maintainers.hello.map((m) => m.keyid) }),
      ]);
      expect(r.transitions[2].files).toEqual([{ project: 'hello', added: [TARGET], removed: [], modified: [], recustomised: [], yanked: [] }]);
      expect(r.rootV1).toEqual({ sha256: createHash('sha256').update(h.files().root).digest('hex'), pinned: false });
    });

    it('accepts a root rotation signed by the old and the new root keys', () => {
      const h = genuine();
      h.sim.rotateRoot({ root: [testSigner('root-2')] });
      h.sim.publish();
      h.commit();
      const r = h.audit();
      expect(violations(r)).toEqual([]);
      expect(r.roles[0]).toMatchObject({ role: 'root', first: 1, last: 2, versions: 2 });
    });

    it('passes with root v1 pinned, whatever its whitespace', () => {
      const h = genuine();
      const pinnedRoot = Buffer.from(JSON.stringify(JSON.parse(Buffer.from(h.files().root).toString('utf8'))));
      expect(h.audit({ pinnedRoot }).ok).toBe(true);
    });
  });

  describe('when a project version is signed by a maintainer removed before it', () => {
    it('fails naming the commit, the threshold and when the key was removed', () => {
      const h = genuine();
      const [alice, bob] = h.sim.maintainers.hello;
      const hello = h.sim.edit('targets').delegations!.roles[0];
      hello.keyids = [alice.keyid];
      h.sim.publish();
      const removal = h.commit();
      const forged = h.forge('hello', [bob], (s) => (s.targets['hello/2.0/hello_2.0_amd64.deb'] = { length: 1, hashes: { sha256: 'a'.repeat(64) } }));
      const r = h.audit();
      expect(r.ok).toBe(false);
      expect(violations(r)).toEqual([
        {
          rule: 'signatures',
          index: 6,
          message: `hello v4 signed by 0/1 maintainers of hello in targets v3 (threshold 1); awaiting keyid ${alice.keyid.slice(0, 8)}; signed by keyid ${bob.keyid.slice(0, 8)}, removed from hello's maintainers by targets v3 (commit ${removal.oid.slice(0, 12)})`,
        },
      ]);
      expect(r.findings[0].commit).toBe(forged.oid);
    });
  });

  describe('when a project is rolled back to an older version', () => {
    it('fails with version-order on that commit', () => {
      const h = genuine();
      const old = serialize(h.sim.projects.hello); // v3
      h.sim.addTarget('hello', 'hello/1.2/hello_1.2_amd64.deb', 'x');
      h.sim.publish();
      h.commit(); // v4
      h.commit((files) => {
        files.hello = old;
        h.reseal(files);
      });
      expect(violations(h.audit())).toEqual([{ rule: 'version-order', index: 6, message: 'hello v3 follows v4: a rollback (versions only go up)' }]);
    });

    it('also after the project was deleted and its file re-added', () => {
      const h = genuine();
      const old = serialize(h.sim.projects.hello);
      h.sim.removeProject('hello');
      h.sim.publish();
      h.commit();
      const r = h.audit();
      expect(violations(r)).toEqual([]);
      expect(r.projects[0]).toMatchObject({ name: 'hello', status: 'deleted' });
      h.commit((files) => {
        files.hello = old;
        h.reseal(files);
      });
      expect(violations(h.audit()).map((v) => v.rule)).toEqual(['version-order', 'delegation']);
    });
  });

  describe("when a target's hash is edited without re-signing", () => {
    it('fails: edited in place, the version stayed, the signature no longer verifies', () => {
      const h = genuine();
      const [alice, bob] = h.sim.maintainers.hello;
      h.commit((files) => {
        const env = structuredClone(h.sim.projects.hello);
        env.signed.targets[TARGET].hashes.sha256 = 'f'.repeat(64);
        files.hello = serialize(env);
        h.reseal(files);
      });
      const r = violations(h.audit());
      expect(r.map((v) => [v.rule, v.index])).toEqual([['version-order', 5], ['target-edited-in-place', 5], ['signatures', 5]]);
      expect(r[1].message).toBe(`hello changed its files (hashes/length of ${TARGET}) while it stayed at v3: no maintainer signed this content as a new version`);
      expect(r[2].message).toContain(`signed by 0/2 maintainers of hello in targets v2 (threshold 1)`);
      expect(r[2].message).toContain(`signature by keyid ${alice.keyid.slice(0, 8)}, keyid ${bob.keyid.slice(0, 8)} does not verify`);
    });

    it('also when only custom changes (a yank no maintainer signed)', () => {
      const h = genuine();
      h.commit((files) => {
        const env = structuredClone(h.sim.projects.hello);
        env.signed.targets[TARGET].custom = { version: '1.0', yanked: { reason: 'forged', at: '2030-01-01T00:00:00Z' } };
        files.hello = serialize(env);
        h.reseal(files);
      });
      expect(violations(h.audit()).map((v) => v.rule)).toContain('target-edited-in-place');
    });
  });

  describe('when a project version is signed by an online key', () => {
    it.each(['snapshot', 'timestamp'] as const)('fails with online-key-misuse (the %s key)', (role) => {
      const h = genuine();
      h.forge('hello', h.sim.signers[role], (s) => (s.targets['hello/6.6/evil_6.6_amd64.deb'] = { length: 6, hashes: { sha256: 'e'.repeat(64) } }));
      const [v] = violations(h.audit());
      expect(v.rule).toBe('online-key-misuse');
      expect(v.message).toContain(`hello v4 signed by 0/2 maintainers of hello in targets v2 (threshold 1)`);
      expect(v.message).toContain(`signed by the online ${role} key (keyid ${h.sim.signers[role][0].keyid.slice(0, 8)}), which may never sign hello`);
    });

    it('fails when targets delegates a project to an online key', () => {
      const h = genuine();
      const snapshotKey = h.sim.signers.snapshot[0];
      const targets = h.sim.edit('targets');
      targets.delegations!.keys[snapshotKey.keyid] = snapshotKey.publicKey;
      targets.delegations!.roles[0].keyids.push(snapshotKey.keyid);
      h.sim.publish();
      h.commit();
      expect(violations(h.audit()).map((v) => v.rule)).toEqual(['online-key-misuse']);
    });
  });

  describe('when a root version is not signed by the previous root', () => {
    it('fails, and the forged root is not trusted afterwards', () => {
      const h = genuine();
      const mallory = testSigner('mallory-root');
      h.sim.rotateRoot({ root: [mallory], targets: [mallory] }, [mallory]);
      h.sim.publish();
      h.commit();
      const r = violations(h.audit());
      expect(r[0]).toMatchObject({ rule: 'signatures', index: 5 });
      expect(r[0].message).toContain('root v2 signed by 0/1 root keys of the trusted root v1 (threshold 1)');
      // targets signed by mallory's key: checked against root v1, which never authorised it
      expect(r.slice(1).map((v) => v.message)).toEqual([expect.stringContaining('targets v3 signed by 0/1 targets keys of root v1')]);
    });

    it('fails a root that skips a version', () => {
      const h = genuine();
      h.sim.rotateRoot({});
      h.sim.roots[1] = signWith({ ...h.sim.roots[1].signed, version: 3 }, h.sim.signers.root);
      h.commit();
      expect(violations(h.audit())).toEqual([{ rule: 'version-order', index: 5, message: 'root v3 follows v1: root versions go up by exactly 1' }]);
    });
  });

  describe('when root v1 is not the pinned root', () => {
    it('fails with root-pin on the first commit', () => {
      const other = new History(new RepositorySimulator({ keys: { root: 2 } }));
      const r = genuine().audit({ pinnedRoot: other.files().root });
      expect(violations(r).map((v) => [v.rule, v.index])).toEqual([['root-pin', 1]]);
    });
  });

  describe('when snapshot or timestamp do not pin the files as they are', () => {
    it('fails a snapshot pinning another project version', () => {
      const h = genuine();
      h.commit((files) => {
        h.reseal(files);
        const snap = structuredClone(h.sim.snapshot);
        snap.signed.meta['hello.json'].version = 2;
        files.snapshot = serialize(signWith(snap.signed, h.sim.signers.snapshot));
        h.sim.snapshot = signWith(snap.signed, h.sim.signers.snapshot);
        files.timestamp = serialize(signWith(computeTimestamp(h.sim.timestamp.signed, snap.signed.version, files.snapshot, h.sim.now, 3600), h.sim.signers.timestamp));
      });
      expect(violations(h.audit())).toEqual([{ rule: 'snapshot-consistency', index: 5, message: 'snapshot v5 does not match hello: it pins v2, the file is v3' }]);
    });

    it('fails a timestamp pinning other snapshot bytes', () => {
      const h = genuine();
      h.commit((files) => {
        h.reseal(files);
        const ts = structuredClone(h.sim.timestamp.signed);
        ts.meta['snapshot.json'].hashes = { sha256: '0'.repeat(64) };
        files.timestamp = serialize(signWith(ts, h.sim.signers.timestamp));
      });
      expect(violations(h.audit()).map((v) => v.rule)).toEqual(['timestamp-consistency']);
    });
  });

  describe('when projects appear or disappear without the admins', () => {
    it("fails a project file deleted while targets still delegates it", () => {
      const h = genuine();
      h.commit((files) => {
        files.hello = null;
        h.reseal(files);
      });
      const r = h.audit();
      expect(r.findings.map((v) => [v.rule, v.role, v.message])).toEqual([
        ['delegation', 'hello', "hello's metadata was deleted while targets v2 still delegates hello: only admins delete a project, by removing its delegation"],
      ]);
    });

    it('fails a project role published with no delegation', () => {
      const h = genuine();
      const eve = testSigner('eve');
      h.commit((files) => {
        files.evil = serialize(signWith({ ...h.sim.projects.hello.signed, version: 1, targets: {} }, [eve]));
        h.reseal(files);
      });
      expect(violations(h.audit())).toEqual([{ rule: 'delegation', index: 5, message: 'evil v1 was published, but targets v2 delegates no project evil' }]);
    });

    it("fails a deleted project's name delegated again", () => {
      const h = genuine();
      h.sim.removeProject('hello');
      h.sim.publish();
      h.commit();
      h.sim.addProject('hello');
      h.sim.publish();
      h.commit();
      expect(violations(h.audit()).map((v) => v.rule)).toContain('role-name-reused');
    });
  });

  describe('when a maintainer removal leaves the current version short of its threshold', () => {
    it('warns that clients refuse the project until it is re-signed, and passes', () => {
      const h = genuine();
      const [alice, bob] = h.sim.maintainers.hello;
      h.sim.addTarget('hello', 'hello/1.2/hello_1.2_amd64.deb', 'alice alone');
      h.sim.publish({ signedBy: { hello: [alice] } });
      h.commit();
      h.sim.edit('targets').delegations!.roles[0].keyids = [bob.keyid];
      h.sim.publish();
      h.commit();
      const r = h.audit();
      expect(r.ok).toBe(true);
      expect(r.findings).toEqual([expect.objectContaining({ severity: 'warning', rule: 'project-unverifiable', role: 'hello', index: 6 })]);
      expect(r.findings[0].message).toBe('hello v4 is signed by 0/1 of the maintainers targets v3 lists: clients refuse hello until its maintainers sign a new version');
    });
  });

  describe('when the history was rewritten after an earlier audit', () => {
    it('fails when the recorded head is not at its place on the chain', () => {
      const h = genuine();
      const recorded = { head: 'b'.repeat(40), commits: 3, auditedAt: '2030-01-01T00:00:00Z' };
      const r = h.audit({ recorded });
      expect(violations(r)).toEqual([
        { rule: 'history-rewritten', index: 3, message: `commit #3 of main is ${h.commits[2].oid.slice(0, 8)}, but the audit of 2030-01-01T00:00:00Z recorded bbbbbbbb there as main's head: main's history was rewritten since` },
      ]);
    });

    it('fails when main is now shorter than the recorded history', () => {
      const r = genuine().audit({ recorded: { head: 'c'.repeat(40), commits: 9 } });
      expect(violations(r).map((v) => v.rule)).toEqual(['history-rewritten']);
    });

    it('passes when the recorded head is still on the chain', () => {
      const h = genuine();
      expect(h.audit({ recorded: { head: h.commits[1].oid, commits: 2 } }).ok).toBe(true);
    });
  });

  describe('when the commits are not one chain or a file is broken', () => {
    it('fails a commit whose first parent is not the previous commit', () => {
      const h = genuine();
      h.commits[2].parents = ['d'.repeat(40)];
      expect(violations(h.audit()).map((v) => [v.rule, v.index])).toEqual([['history-chain', 3]]);
    });

    it('fails a metadata file that does not parse, and warns about stray files', () => {
      const h = genuine();
      h.commit((files) => {
        files.hello = Buffer.from('{"signed": 1.5');
      }, { otherFiles: ['README.md'] });
      const r = h.audit();
      expect(r.findings.map((f) => [f.severity, f.rule])).toEqual([['warning', 'unexpected-file'], ['violation', 'malformed']]);
    });

    it('fails a file whose signed part has a float (no canonical form, no valid signature)', () => {
      const h = genuine();
      h.forge('hello', h.sim.maintainers.hello, () => undefined);
      const last = h.commits[h.commits.length - 1];
      last.changed.hello = Buffer.from(Buffer.from(last.changed.hello!).toString('utf8').replace('"targets": {', '"x": 1.5, "targets": {'));
      expect(violations(h.audit()).map((v) => v.rule)).toContain('malformed');
    });
  });

  it('reports no head and not ok for an empty history', () => {
    expect(new HistoryAudit().finish()).toMatchObject({ ok: false, commits: 0 });
  });
});

describe('#renderReport', () => {
  describe('when the audit passed', () => {
    it('names what was checked: commits, root v1, roles with versions and signers, projects', () => {
      const h = genuine();
      const r = h.audit();
      const lines = renderReport(r, { repository: 'repo.git', verbose: true });
      const key = (s: Signer) => s.keyid.slice(0, 8);
      expect(lines[0]).toBe(`audited main of repo.git: 4 commits (0 merged pending changes), head ${h.commits[3].oid.slice(0, 12)}`);
      expect(lines[1]).toMatch(/^root v1 sha256 [0-9a-f]{64} \(not pinned: compare it with what the repository's admins publish, or pass --root FILE\)$/);
      expect(lines).toContain(`  hello      v1 → v3       3 versions    signed by ${h.sim.maintainers.hello.map(key).sort().join(', ')}`);
      expect(lines).toContain(`  hello: v3, 2 files; maintainers ${h.sim.maintainers.hello.map(key).join(', ')} (threshold 1)`);
      expect(lines).toContain(`  ${transitionLine(r.transitions[2])}`);
      expect(transitionLine(r.transitions[2])).toMatch(/^#3 [0-9a-f]{12} 2030-01-01T00:00:00Z: hello v1→v2 \([0-9a-f, ]+\); snapshot v2→v3 \([0-9a-f]{8}\); timestamp v2→v3 \([0-9a-f]{8}\) \[files \+1\]$/);
      expect(verdict(r)).toBe('audit passed: 4 commits verified from root v1');
    });
  });

  describe('when the audit failed', () => {
    it('lists each violation with its commit, position and rule, and counts them', () => {
      const h = genuine();
      const forged = h.forge('hello', h.sim.signers.snapshot);
      const r = h.audit();
      const lines = renderReport(r, { repository: 'repo.git' });
      expect(lines.slice(-2)).toEqual(['VIOLATIONS (1):', `  ${findingLine(r.findings[0])}`]);
      expect(findingLine(r.findings[0])).toMatch(new RegExp(`^commit ${forged.oid.slice(0, 12)} \\(#5\\): \\[online-key-misuse\\] hello v4 signed by 0/2 maintainers`));
      expect(verdict(r)).toBe('audit FAILED: 1 violation in 1 commit');
    });
  });
});
