#!/usr/bin/env node
/* global require, process, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- a plain Node script, run without compilation */
// `npm run build:deb` (after `npm run build`): dist/deb/vouch-apt_<version>_all.deb, the Vouch apt
// method as a Debian package (see src/apt-method/build-deb.ts). Usage: node scripts/build-deb.js [--out DIR]
'use strict';
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const out = args.indexOf('--out') >= 0 ? path.resolve(args[args.indexOf('--out') + 1]) : path.join(root, 'dist', 'deb');
try {
  const { buildDeb } = require(path.join(root, 'dist', 'apt-method', 'build-deb.js'));
  const built = buildDeb(out, root);
  if (built.unresolved.length) process.stderr.write(`note: requires left unresolved (they fail if ever reached): ${built.unresolved.join(', ')}\n`);
  process.stdout.write(`${built.file}\n`);
} catch (e) {
  process.stderr.write(`build-deb: ${e.code === 'MODULE_NOT_FOUND' ? 'dist/ is missing: run `npm run build` first' : e.message}\n`);
  process.exitCode = 1;
}
