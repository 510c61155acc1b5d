// The lint rules are the architecture's boundaries: the pure core imports no framework,
// database, git, file system or network, reads no environment and never asks the clock.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

const IO_AND_FRAMEWORKS = [
  '@nestjs/*', 'typeorm', 'pg', '@electric-sql/*', 'isomorphic-git', 'isomorphic-git/*',
  'openpgp', 'express', 'tuf-js', 'commander',
  'fs', 'fs/*', 'node:fs', 'node:fs/*', 'http', 'https', 'node:http', 'node:https', 'net', 'node:net',
  'child_process', 'node:child_process', 'os', 'node:os', 'path', 'node:path',
];

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test-output/**', '*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: IO_AND_FRAMEWORKS, message: 'src/core is pure: no framework, database, git, file system or network imports.' },
          { group: ['**/adapters/**', '**/server/**', '**/cli/**', '**/repository/**', '**/config/**'], message: 'src/core imports nothing outside src/core.' },
        ],
      }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'src/core reads no environment: pass configuration in.' }],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'src/core never asks the clock: pass `now` in.' },
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'src/core never asks the clock: pass `now` in.' },
      ],
    },
  },
  {
    files: ['src/repository/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@nestjs/*', 'typeorm', 'pg', '@electric-sql/*', 'isomorphic-git', 'commander', 'express'], message: 'Repository operations talk to adapters through ports (src/repository/ports.ts).' },
          { group: ['**/adapters/**', '**/server/**', '**/cli/**'], message: 'Repository operations depend on ports, never on adapters or shells.' },
        ],
      }],
    },
  },
  {
    files: ['src/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/server/**', '**/cli/**'], message: 'Adapters never import a shell.' }],
      }],
    },
  },
);
