// Lint rules, including the layer map of docs/ARCHITECTURE.md. One ordered list (`layerMap`) generates every
// import rule: a module in main/ may import its own layer and the layers listed before it, never one listed after
// it; `electron` stays in the desktop shell; the window imports only types from the contract; timers go through
// main/platform/ outside the composition roots.
import { dirname, relative, resolve, sep } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

const projectRoot = import.meta.dirname;
const mainRoot = resolve(projectRoot, 'main');

/**
 * The layers of main/, bottom-up. `paths` are folders (or single files) under main/; `never` lists folders a layer
 * may not import even though they sit lower; `roots` marks the composition roots, which may import every layer but
 * not each other (`mayImport` names the exceptions).
 */
const layerMap = [
  {
    layer: 'contract',
    paths: ['contract'],
    why: 'the contract is pure: commands, events and DTOs that every side imports, so it imports nothing of main',
  },
  {
    layer: 'platform',
    paths: ['platform'],
    why: 'the seams (clock, random, sockets, logger) depend on nothing',
  },
  { layer: 'sip/message', paths: ['sip/message'], why: 'SIP syntax is sans-IO and knows no transport' },
  {
    layer: 'contacts',
    paths: ['contacts'],
    why: 'contact formats (vCard) and address keys are pure text over SIP syntax: no network, store or services',
  },
  { layer: 'sip/auth', paths: ['sip/auth'], why: 'digest works on messages alone' },
  { layer: 'sip/transport', paths: ['sip/transport'], why: 'the transport knows no transactions' },
  { layer: 'sip/transaction', paths: ['sip/transaction'], why: 'transactions know no dialogs or usages' },
  { layer: 'sip/dialog', paths: ['sip/dialog'], why: 'dialogs know no user agent' },
  {
    layer: 'sdp, media',
    paths: ['sdp', 'media'],
    never: ['sip'],
    why: 'SDP and media never import sip, so a call reaches them only through the media port ua/call defines',
  },
  { layer: 'ua', paths: ['ua'], why: 'the user agent core knows no services, store or shell' },
  {
    layer: 'presence, im',
    paths: ['presence', 'im', 'messaging'],
    why: 'usages sit on the user agent, below services',
  },
  {
    layer: 'store',
    paths: ['store'],
    never: ['sip', 'sdp', 'media', 'ua', 'presence', 'im', 'messaging'],
    why: 'the store keeps data for services and knows nothing of SIP or media',
  },
  { layer: 'services', paths: ['services'], why: 'services orchestrate the layers below for any shell' },
  {
    layer: 'ipc',
    paths: ['ipc'],
    why: 'ipc carries the contract; it is a transport, not a composition root',
  },
  {
    layer: 'composition roots',
    paths: ['web', 'app', 'cli', 'preload', 'index.ts'],
    roots: true,
    // The Electron entry is assembled from main/app's parts; the app:// handler confines paths with the web host's
    // static-file lookup (a candidate for a shared layer below both).
    mayImport: { 'index.ts': ['app'], app: ['web/static-files.ts'] },
    why: 'each shell (web host, desktop app, CLI, preload) is built on its own from the layers below',
  },
];

/** Where a file under main/ sits: the layer's index and the matching path, or null when no entry covers it. */
function locate(fileInMain) {
  const normalised = fileInMain.split(sep).join('/');
  let best = null;
  layerMap.forEach((entry, rank) => {
    for (const path of entry.paths) {
      const matches = path.endsWith('.ts')
        ? normalised === path || normalised === path.slice(0, -3)
        : normalised === path || normalised.startsWith(`${path}/`);
      if (matches && (best === null || path.length > best.path.length)) best = { rank, path, entry };
    }
  });
  return best;
}

function underMain(absolute) {
  const inMain = relative(mainRoot, absolute);
  return inMain.startsWith('..') || inMain === '' ? null : inMain.split(sep).join('/');
}

function sourceOf(node) {
  return node.source && typeof node.source.value === 'string' ? node.source.value : null;
}

/** True when an import brings in types only (`import type`, or every specifier marked `type`). */
function typeOnly(node) {
  if (node.importKind === 'type' || node.exportKind === 'type') return true;
  const specifiers = node.specifiers ?? [];
  return (
    specifiers.length > 0 &&
    specifiers.every((specifier) => specifier.importKind === 'type' || specifier.exportKind === 'type')
  );
}

/** Calls `check(node, source)` for every static import, re-export and literal dynamic import. */
function visitImports(check) {
  const visit = (node) => {
    const source = sourceOf(node);
    if (source !== null) check(node, source);
  };
  return {
    ImportDeclaration: visit,
    ExportNamedDeclaration: visit,
    ExportAllDeclaration: visit,
    ImportExpression: visit,
  };
}

const importDirection = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports in main/ point down the layer map only.' },
    schema: [],
  },
  create(context) {
    const self = underMain(context.filename);
    if (self === null) return {};
    const own = locate(self);
    if (own === null) {
      return {
        Program(node) {
          context.report({
            node,
            message: `main/${self} is in no layer: add its folder to layerMap in eslint.config.js so its imports are checked.`,
          });
        },
      };
    }
    return visitImports((node, source) => {
      if (!source.startsWith('.')) return;
      const target = underMain(resolve(dirname(context.filename), source));
      if (target === null) return;
      const theirs = locate(target);
      if (theirs === null || (theirs.rank === own.rank && theirs.path === own.path)) return;
      const ownName = `main/${own.path}`;
      const theirName = `main/${theirs.path}`;
      const banned = (own.entry.never ?? []).find(
        (path) => theirs.path === path || theirs.path.startsWith(`${path}/`),
      );
      if (banned !== undefined) {
        context.report({
          node,
          message: `${ownName} may not import ${theirName}: ${own.entry.why} (layer map in eslint.config.js).`,
        });
        return;
      }
      if (theirs.rank > own.rank) {
        context.report({
          node,
          message: `${ownName} (layer ${own.entry.layer}) may not import ${theirName} (layer ${theirs.entry.layer}): imports point down only, because ${own.entry.why}. Move the shared piece down or pass it in from above (layer map in eslint.config.js).`,
        });
        return;
      }
      if (theirs.rank === own.rank && own.entry.roots) {
        const allowed = own.entry.mayImport?.[own.path] ?? [];
        const permitted = allowed.some(
          (path) => target === path || target === path.replace(/\.ts$/, '') || target.startsWith(`${path}/`),
        );
        if (!permitted)
          context.report({
            node,
            message: `${ownName} may not import ${theirName}: composition roots do not import each other, because ${own.entry.why}. Move the shared piece into a layer below (layer map in eslint.config.js).`,
          });
      }
    });
  },
};

/** Folders and files of main/ that may import `electron`; ipc's Electron adapters may import its types only. */
const electronShell = ['app', 'preload', 'index.ts'];
const electronTypesOnly = ['ipc'];

const electronOnlyInShell = {
  meta: {
    type: 'problem',
    docs: { description: 'Only the desktop shell imports electron.' },
    schema: [],
  },
  create(context) {
    const self = underMain(context.filename);
    if (self === null) return {};
    const within = (paths) =>
      paths.some((path) => (path.endsWith('.ts') ? self === path : self.startsWith(`${path}/`)));
    if (within(electronShell)) return {};
    const typesAllowed = within(electronTypesOnly);
    return visitImports((node, source) => {
      if (source !== 'electron' && !source.startsWith('electron/')) return;
      if (typesAllowed && typeOnly(node)) return;
      context.report({
        node,
        message: `main/${self} may not import electron${typesAllowed ? ' values (types only here)' : ''}: only main/app, main/preload and main/index.ts touch Electron, so the engine runs in plain Node for the CLI, the web host and the tests.`,
      });
    });
  },
};

/** Contract modules the window may import values from: pure constants, no library behind them. */
const windowValueModules = [
  'contract/limits',
  'contract/audio-stream',
  'contract/peer-text',
  'contract/message-alerts',
];

const windowImports = {
  meta: {
    type: 'problem',
    docs: { description: 'The window imports only types from the contract.' },
    schema: [],
  },
  create(context) {
    const contract = layerMap[0].paths;
    return visitImports((node, source) => {
      if (!source.startsWith('.')) {
        if (source === 'electron' || source.startsWith('electron/'))
          context.report({
            node,
            message:
              'The window may not import electron: it is a sandboxed page that reaches the engine through window.softphone (the preload) or the web socket, via src/lib/bridge.ts.',
          });
        return;
      }
      const target = underMain(resolve(dirname(context.filename), source));
      if (target === null) return;
      const fromContract = locate(target)?.entry === layerMap[0] && contract.length > 0;
      // The shared limits and the audio layout are plain constants the page uses too, so it may bundle them; the schemas
      // (zod) and everything else of the contract stay types only.
      if (
        fromContract &&
        (typeOnly(node) || windowValueModules.includes(target.replace(/\.[cm]?[jt]s$/, '')))
      )
        return;
      context.report({
        node,
        message: fromContract
          ? `The window may import only types from main/${target} (use \`import type\`; values only from ${windowValueModules.join(', ')}): the engine's code runs in the main process, never in the page.`
          : `The window may not import main/${target}: it talks to the engine through the contract only (\`import type\` from the contract), so it runs the same in Electron and in a browser.`,
      });
    });
  },
};

const layersPlugin = {
  rules: {
    'import-direction': importDirection,
    'electron-only-in-shell': electronOnlyInShell,
    'window-imports': windowImports,
  },
};

const timerMessage =
  'Timers go through the injected Clock (main/platform/clock.ts) outside the composition roots, so tests drive time with a ManualClock.';
const timerNames = ['setTimeout', 'setInterval', 'setImmediate'];
const timerGlobals = timerNames.map((name) => ({ name, message: timerMessage }));
const timerProperties = timerNames.flatMap((property) =>
  ['globalThis', 'global'].map((object) => ({ object, property, message: timerMessage })),
);
const timerModules = ['timers', 'node:timers', 'timers/promises', 'node:timers/promises'].map((name) => ({
  name,
  message: timerMessage,
}));
const timerRoots = ['main/platform/**', 'main/index.ts', 'main/web/web-main.ts', 'main/cli/**'];
const clockAndRandom = [
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
];

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'coverage/', 'test-results/', '.tmp/', '.native/'] },
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
      'no-restricted-properties': ['error', ...clockAndRandom],
    },
  },
  {
    files: ['main/**/*.ts'],
    plugins: { layers: layersPlugin },
    rules: {
      'layers/import-direction': 'error',
      'layers/electron-only-in-shell': 'error',
    },
  },
  // The composition roots own the process and may set their own timers; everything else takes a Clock.
  {
    files: ['main/**/*.ts'],
    ignores: [...timerRoots, 'main/app/**'],
    rules: {
      'no-restricted-globals': ['error', ...timerGlobals],
      'no-restricted-properties': ['error', ...timerProperties, ...clockAndRandom],
      'no-restricted-imports': ['error', { paths: timerModules }],
    },
  },
  {
    files: ['main/app/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', ...timerGlobals],
      'no-restricted-properties': ['error', ...timerProperties],
      'no-restricted-imports': ['error', { paths: timerModules }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    plugins: { layers: layersPlugin },
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
    rules: { 'layers/window-imports': 'error' },
  },
  {
    files: ['renderer/**/*.svelte', 'renderer/src/*.d.ts', '*.config.ts', '*.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
