// Lint rules, including the import-direction rule that keeps the layering of docs/ARCHITECTURE.md:
// platform <- sip/message <- sip/transport <- sip/transaction <- sip/dialog <- ua <- presence/im <- services <- ipc/app
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

const layers = [
  // The contract is the bottom of its own stack: every side imports it and it imports nothing else of main.
  {
    dir: 'contract',
    above: [
      'platform',
      'sip',
      'sdp',
      'media',
      'ua',
      'presence',
      'im',
      'services',
      'store',
      'ipc',
      'app',
      'cli',
      'web',
      'preload',
    ],
  },
  {
    dir: 'platform',
    above: ['sip', 'sdp', 'media', 'ua', 'presence', 'im', 'services', 'store', 'ipc', 'app', 'cli'],
  },
  {
    dir: 'sip/message',
    above: [
      'sip/transport',
      'sip/transaction',
      'sip/dialog',
      'sip/auth',
      'ua',
      'presence',
      'im',
      'services',
      'store',
      'ipc',
      'app',
      'cli',
    ],
  },
  {
    dir: 'sip/auth',
    above: [
      'sip/transport',
      'sip/transaction',
      'sip/dialog',
      'ua',
      'presence',
      'im',
      'services',
      'store',
      'ipc',
      'app',
      'cli',
    ],
  },
  {
    dir: 'sip/transport',
    above: [
      'sip/transaction',
      'sip/dialog',
      'ua',
      'presence',
      'im',
      'services',
      'store',
      'ipc',
      'app',
      'cli',
    ],
  },
  {
    dir: 'sip/transaction',
    above: ['sip/dialog', 'ua', 'presence', 'im', 'services', 'store', 'ipc', 'app', 'cli'],
  },
  { dir: 'sip/dialog', above: ['ua', 'presence', 'im', 'services', 'store', 'ipc', 'app', 'cli'] },
  { dir: 'ua', above: ['presence', 'im', 'services', 'store', 'ipc', 'app', 'cli'] },
  { dir: 'presence', above: ['services', 'store', 'ipc', 'app', 'cli'] },
  { dir: 'im', above: ['services', 'store', 'ipc', 'app', 'cli'] },
  { dir: 'sdp', above: ['sip', 'ua', 'presence', 'im', 'services', 'store', 'ipc', 'app', 'cli'] },
  { dir: 'media', above: ['sip', 'ua', 'presence', 'im', 'services', 'store', 'ipc', 'app', 'cli'] },
  { dir: 'store', above: ['sip', 'ua', 'presence', 'im', 'services', 'ipc', 'app', 'cli', 'media'] },
  { dir: 'services', above: ['ipc', 'app', 'cli'] },
];

// Matches an import of any layer above: by its path from main/ (../../ua/x) or, inside sip/, as a sibling (../transport/x).
function layerRegex(dir, above) {
  const byPath = above.map((d) => d.replace('/', '\\/')).join('|');
  const siblings = dir.startsWith('sip/')
    ? above.filter((d) => d.startsWith('sip/')).map((d) => d.slice(4))
    : [];
  const sibling = siblings.length > 0 ? `|^\\.\\.\\/(${siblings.join('|')})(\\/|$)` : '';
  return `(^|\\/)(${byPath})(\\/|$)${sibling}`;
}

const layerRules = layers.map(({ dir, above }) => ({
  files: [`main/${dir}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: [
          {
            name: 'electron',
            message:
              'Only main/app, main/ipc, main/preload and main/index.ts may touch Electron: the engine must run in plain Node.',
          },
        ],
        patterns: [
          {
            regex: layerRegex(dir, above),
            message: `main/${dir} sits below ${above.join(', ')}: imports point down only (docs/ARCHITECTURE.md), so lower layers stay testable without the ones above.`,
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'coverage/', 'test-results/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Named exports only (DESIGN.md habit 9).' },
      ],
    },
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/platform/**', 'main/app/**', 'main/index.ts', 'main/cli/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'Date',
          property: 'now',
          message: 'Protocol logic takes time from an injected Clock (main/platform/clock.ts).',
        },
        {
          object: 'Math',
          property: 'random',
          message: 'Protocol logic takes randomness from an injected Random (main/platform/random.ts).',
        },
      ],
    },
  },
  ...layerRules,
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
  },
  {
    files: ['renderer/**/*.svelte', 'renderer/src/svelte.d.ts', '*.config.ts', '*.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
