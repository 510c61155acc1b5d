// Makes the installed method ONE self-contained JS file for the system `node`: starting from the
// compiled entry (dist/apt-method/main.js) it follows every literal require() of CommonJS modules
// (resolved exactly as Node would from each file, so package "exports" are honoured), and writes
// them into a module map with a tiny loader. Node built-ins stay require()s. No dependencies.
import * as fs from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import * as path from 'node:path';

const REQUIRE = /\brequire\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g;
const BUILTINS = new Set(builtinModules);

function isBuiltin(spec: string): boolean {
  return spec.startsWith('node:') || BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0]);
}

export interface BundleResult {
  code: string;
  /** module ids, relative to the root they were found under */
  modules: string[];
  /** literal require()s that did not resolve when bundling (they throw if ever reached) */
  unresolved: string[];
}

/** The compiled method entry next to this file (in dist/). */
export function methodEntry(): string {
  return path.join(__dirname, 'main.js');
}

/** The project directory this build runs from (ids are relative to it, so bundles are reproducible). */
export function projectRoot(): string {
  return path.resolve(__dirname, '..', '..');
}

export function bundle(entry: string = methodEntry(), root: string = projectRoot(), banner = ''): BundleResult {
  const ids = new Map<string, string>();
  const defs = new Map<string, { source: string; deps: Record<string, string> }>();
  const unresolved: string[] = [];
  const idOf = (file: string): string => {
    let id = ids.get(file);
    if (!id) {
      id = path.relative(root, file).split(path.sep).join('/');
      ids.set(file, id);
    }
    return id;
  };
  const queue = [fs.realpathSync(entry)];
  const seen = new Set<string>(queue);
  while (queue.length > 0) {
    const file = queue.shift()!;
    const text = fs.readFileSync(file, 'utf8');
    const deps: Record<string, string> = {};
    let source: string;
    if (file.endsWith('.json')) {
      source = `module.exports = ${JSON.stringify(JSON.parse(text))};`;
    } else {
      source = text.replace(/^#!.*\n/, '').replace(/^\/\/# sourceMappingURL=.*$/gm, '');
      const req = createRequire(file);
      for (const m of source.matchAll(REQUIRE)) {
        const spec = m[2];
        if (isBuiltin(spec) || deps[spec] !== undefined) continue;
        let resolved: string;
        try {
          resolved = fs.realpathSync(req.resolve(spec));
        } catch {
          unresolved.push(`${idOf(file)}: ${spec}`);
          continue;
        }
        if (isBuiltin(resolved)) continue;
        deps[spec] = idOf(resolved);
        if (!seen.has(resolved)) {
          seen.add(resolved);
          queue.push(resolved);
        }
      }
    }
    defs.set(idOf(file), { source, deps });
  }
  const entryId = idOf(fs.realpathSync(entry));
  const modules = [...defs.keys()].sort();
  let code = '#!/usr/bin/env node\n';
  if (banner) code += `${banner.split('\n').map((l) => `// ${l}`.trimEnd()).join('\n')}\n`;
  code += '/* eslint-disable */\n(function () {\nvar defs = {};\n';
  for (const id of modules) {
    const d = defs.get(id)!;
    code += `defs[${JSON.stringify(id)}] = [${JSON.stringify(d.deps)}, function (module, exports, require, __filename, __dirname) {\n${d.source}\n}];\n`;
  }
  code += LOADER.replace('ENTRY', JSON.stringify(entryId));
  return { code, modules, unresolved };
}

const LOADER = `var cache = {};
var nodeRequire = require;
function load(id) {
  if (cache[id]) return cache[id].exports;
  var def = defs[id];
  var module = { exports: {}, id: id, loaded: false };
  cache[id] = module;
  var localRequire = function (spec) {
    var dep = def[0][spec];
    if (dep !== undefined) return load(dep);
    if (spec.indexOf('node:') === 0 || nodeRequire('module').builtinModules.indexOf(spec.split('/')[0]) >= 0) return nodeRequire(spec);
    var e = new Error("Cannot find module '" + spec + "' (not in the vouch method bundle)");
    e.code = 'MODULE_NOT_FOUND';
    throw e;
  };
  def[1].call(module.exports, module, module.exports, localRequire, __filename, __dirname);
  module.loaded = true;
  return module.exports;
}
load(ENTRY);
})();
`;
