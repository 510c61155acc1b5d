// @tufjs/models 4.1.1 (and 5.0.2) builds every map by copying an accumulator on each entry
// (`entries.reduce((acc, [k, v]) => ({ ...acc, [k]: f(v) }), {})`): parsing a targets file of
// 10,000 entries takes ~49 s. These replacements build the same objects with plain loops, with
// the same checks and results (the spec compares them with the originals), so a client's refresh
// grows linearly with the repository. Also: a public key's crypto object is built once, not at every
// signature check. Installed once by the client adapters that use tuf-js;
// remove it when @tufjs/models builds its maps linearly. docs/decisions.md, "Linear tuf-js models".
/* eslint-disable @typescript-eslint/no-require-imports */
const base = require('@tufjs/models/dist/base');
const file = require('@tufjs/models/dist/file');
const key = require('@tufjs/models/dist/key');
const role = require('@tufjs/models/dist/role');
const guard = require('@tufjs/models/dist/utils/guard');
const { Snapshot } = require('@tufjs/models/dist/snapshot');
const { Targets } = require('@tufjs/models/dist/targets');
const { Delegations } = require('@tufjs/models/dist/delegations');
const keyUtil = require('@tufjs/models/dist/utils/key');

/** Own, enumerable properties like the spread it replaces: a key named "__proto__" stays data. */
function mapRecord<V, R>(record: Record<string, V>, f: (k: string, v: V) => R): Record<string, R> {
  const out: Record<string, R> = {};
  for (const k of Object.keys(record)) Object.defineProperty(out, k, { value: f(k, record[k]), enumerable: true, writable: true, configurable: true });
  return out;
}

function objectRecord(data: unknown, message: string): Record<string, unknown> {
  if (!guard.isObjectRecord(data)) throw new TypeError(message);
  return data as Record<string, unknown>;
}

let installed = false;

/**
 * `Key.verifySignature` builds a crypto key object from the hex public key on every check (40% of
 * re-verifying 5,000 cached project roles, docs/benchmarks.md). The object depends only on the key
 * type, scheme and public key, so it is built once per key; a key that fails to build is not kept.
 */
function rememberPublicKeys(): void {
  const build = keyUtil.getPublicKey as (info: { keyType: string; scheme: string; keyVal: string }) => unknown;
  const built = new Map<string, unknown>();
  keyUtil.getPublicKey = (info: { keyType: string; scheme: string; keyVal: string }) => {
    const id = `${info.keyType}\n${info.scheme}\n${info.keyVal}`;
    let key = built.get(id);
    if (key === undefined) {
      key = build(info);
      built.set(id, key);
    }
    return key;
  };
}

export function installLinearTufjsModels(): void {
  if (installed) return;
  installed = true;
  rememberPublicKeys();
  Snapshot.prototype.toJSON = function (this: any) {
    return { _type: this.type, meta: mapRecord(this.meta, (_k, m: any) => m.toJSON()), spec_version: this.specVersion, version: this.version, expires: this.expires, ...this.unrecognizedFields };
  };
  Snapshot.fromJSON = function (data: any) {
    const { unrecognizedFields, ...commonFields } = base.Signed.commonFieldsFromJSON(data);
    const { meta, ...rest } = unrecognizedFields;
    const parsed = guard.isDefined(meta) ? mapRecord(objectRecord(meta, 'meta field is malformed'), (_k, m) => file.MetaFile.fromJSON(m)) : undefined;
    return new Snapshot({ ...commonFields, meta: parsed, unrecognizedFields: rest });
  };

  Targets.prototype.toJSON = function (this: any) {
    const json: any = { _type: this.type, spec_version: this.specVersion, version: this.version, expires: this.expires, targets: mapRecord(this.targets, (_k, t: any) => t.toJSON()), ...this.unrecognizedFields };
    if (this.delegations) json.delegations = this.delegations.toJSON();
    return json;
  };
  Targets.fromJSON = function (data: any) {
    const { unrecognizedFields, ...commonFields } = base.Signed.commonFieldsFromJSON(data);
    const { targets, delegations, ...rest } = unrecognizedFields;
    const parsedTargets = guard.isDefined(targets) ? mapRecord(objectRecord(targets, 'targets must be an object'), (p, t) => file.TargetFile.fromJSON(p, t)) : undefined;
    let parsedDelegations;
    if (guard.isDefined(delegations)) {
      if (!guard.isObject(delegations)) throw new TypeError('delegations must be an object');
      parsedDelegations = Delegations.fromJSON(delegations);
    }
    return new Targets({ ...commonFields, targets: parsedTargets, delegations: parsedDelegations, unrecognizedFields: rest });
  };

  Delegations.prototype.toJSON = function (this: any) {
    const json: any = { keys: mapRecord(this.keys, (_k, k: any) => k.toJSON()), ...this.unrecognizedFields };
    if (this.roles) json.roles = Object.values(this.roles).map((r: any) => r.toJSON());
    else if (this.succinctRoles) json.succinct_roles = this.succinctRoles.toJSON();
    return json;
  };
  Delegations.fromJSON = function (data: any) {
    const { keys, roles, succinct_roles, ...unrecognizedFields } = data;
    const succinctRoles = guard.isObject(succinct_roles) ? role.SuccinctRoles.fromJSON(succinct_roles) : undefined;
    const parsedKeys = mapRecord(objectRecord(keys, 'keys is malformed'), (id, k) => key.Key.fromJSON(id, k));
    let roleMap: Record<string, unknown> | undefined;
    if (guard.isDefined(roles)) {
      if (!guard.isObjectArray(roles)) throw new TypeError('roles is malformed');
      roleMap = {};
      for (const r of roles) {
        const delegated = role.DelegatedRole.fromJSON(r);
        Object.defineProperty(roleMap, delegated.name, { value: delegated, enumerable: true, writable: true, configurable: true });
      }
    }
    return new Delegations({ keys: parsedKeys, roles: roleMap, unrecognizedFields, succinctRoles });
  };
}
