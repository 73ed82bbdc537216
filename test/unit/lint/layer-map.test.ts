// The layer map in eslint.config.js, exercised through ESLint's own API on small snippets: each rule fires where
// it should, with a message that explains why, and stays quiet on the allowed direction.
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
let eslint: ESLint;

beforeAll(() => {
  // Loading the configuration (typescript-eslint, the Svelte parser) is the slow part; one instance serves every test.
  eslint = new ESLint({ cwd: root, overrideConfigFile: join(root, 'eslint.config.js') });
});

/** Lints `code` as if it were the file at `filePath` (which need not exist) and returns its messages. */
async function lint(filePath: string, code: string): Promise<{ ruleId: string | null; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  return (result?.messages ?? []).map(({ ruleId, message }) => ({ ruleId, message }));
}

const use = (name: string) => `\nexport const used = ${name};\n`;

describe('layers/import-direction', () => {
  it('stops ua from importing services, and says why', async () => {
    const messages = await lint(
      'main/ua/example.ts',
      `import { createEngine } from '../services/engine';${use('createEngine')}`,
    );
    expect(messages).toEqual([
      {
        ruleId: 'layers/import-direction',
        message: expect.stringContaining(
          'main/ua (layer ua) may not import main/services (layer services): imports point down only',
        ),
      },
    ]);
  });

  it('lets ua import the transaction layer below it', async () => {
    const messages = await lint(
      'main/ua/example.ts',
      `import { TransactionLayer } from '../sip/transaction/transaction-layer';${use('TransactionLayer')}`,
    );
    expect(messages).toEqual([]);
  });

  it('catches a sibling import upwards inside sip/', async () => {
    const messages = await lint(
      'main/sip/transport/example.ts',
      `import { TransactionLayer } from '../transaction/transaction-layer';${use('TransactionLayer')}`,
    );
    expect(messages.map((m) => m.ruleId)).toEqual(['layers/import-direction']);
    expect(messages[0]!.message).toContain('main/sip/transport (layer sip/transport) may not import');
  });

  it('checks re-exports and dynamic imports too', async () => {
    const messages = await lint(
      'main/platform/example.ts',
      `export { UserAgent } from '../ua/user-agent';\nexport const later = () => import('../store/store');\n`,
    );
    expect(messages.map((m) => m.ruleId)).toEqual(['layers/import-direction', 'layers/import-direction']);
  });

  it('keeps media and sdp away from sip although sip sits lower', async () => {
    const messages = await lint(
      'main/media/rtp/example.ts',
      `import { parseMessage } from '../../sip/message/parse';${use('parseMessage')}`,
    );
    expect(messages).toEqual([
      {
        ruleId: 'layers/import-direction',
        message: expect.stringContaining('SDP and media never import sip'),
      },
    ]);
  });

  it('keeps the store away from the SIP stack', async () => {
    const messages = await lint(
      'main/store/example.ts',
      `import type { SipUri } from '../sip/message/uri';\nexport type Kept = SipUri;\n`,
    );
    expect(messages.map((m) => m.message)).toEqual([
      expect.stringContaining('the store keeps data for services and knows nothing of SIP'),
    ]);
  });

  it('lets the contacts formats use SIP syntax, and keeps them off the store and services', async () => {
    const uri = await lint(
      'main/contacts/example.ts',
      `import { parseUri } from '../sip/message/uri';${use('parseUri')}`,
    );
    expect(uri).toEqual([]);
    const store = await lint(
      'main/contacts/example.ts',
      `import { openStore } from '../store/store';${use('openStore')}`,
    );
    expect(store.map((m) => m.message)).toEqual([
      expect.stringContaining('main/contacts (layer contacts) may not import main/store (layer store)'),
    ]);
    const services = await lint(
      'main/services/example.ts',
      `import { readVcards } from '../contacts/vcard-reader';${use('readVcards')}`,
    );
    expect(services).toEqual([]);
  });

  it('keeps the contract pure: it imports nothing of main', async () => {
    const messages = await lint(
      'main/contract/example.ts',
      `import type { Logger } from '../platform/logger';\nexport type Kept = Logger;\n`,
    );
    expect(messages.map((m) => m.message)).toEqual([
      expect.stringContaining('main/contract (layer contract) may not import main/platform'),
    ]);
  });

  it('lets services import the contract', async () => {
    const messages = await lint(
      'main/services/example.ts',
      `import type { AccountDto } from '../contract/accounts';\nexport type Kept = AccountDto;\n`,
    );
    expect(messages).toEqual([]);
  });

  it('keeps ipc below the composition roots', async () => {
    const messages = await lint(
      'main/ipc/example.ts',
      `import { loadApp } from '../app/window';${use('loadApp')}`,
    );
    expect(messages.map((m) => m.message)).toEqual([
      expect.stringContaining('main/ipc (layer ipc) may not import main/app (layer composition roots)'),
    ]);
  });

  it('keeps the composition roots apart, except the Electron entry and its app/ parts', async () => {
    const webIntoCli = await lint(
      'main/web/example.ts',
      `import { main } from '../cli/index';${use('main')}`,
    );
    expect(webIntoCli.map((m) => m.message)).toEqual([
      expect.stringContaining('composition roots do not import each other'),
    ]);
    const entry = await lint('main/index.ts', `import { loadApp } from './app/window';${use('loadApp')}`);
    expect(entry).toEqual([]);
  });

  it('names a folder that is in no layer', async () => {
    const messages = await lint('main/gadgets/example.ts', `export const x = 1;\n`);
    expect(messages.map((m) => m.message)).toEqual([
      expect.stringContaining('main/gadgets/example.ts is in no layer: add its folder to layerMap'),
    ]);
  });
});

describe('layers/electron-only-in-shell', () => {
  it('refuses electron in services', async () => {
    const messages = await lint('main/services/example.ts', `import { app } from 'electron';${use('app')}`);
    expect(messages).toEqual([
      {
        ruleId: 'layers/electron-only-in-shell',
        message: expect.stringContaining(
          'only main/app, main/preload and main/index.ts touch Electron, so the engine runs in plain Node',
        ),
      },
    ]);
  });

  it('allows electron in app/, preload/ and the entry, and its types in ipc/', async () => {
    for (const file of ['main/app/example.ts', 'main/preload/example.ts', 'main/index.ts'])
      expect(await lint(file, `import { app } from 'electron';${use('app')}`)).toEqual([]);
    expect(
      await lint(
        'main/ipc/example.ts',
        `import type { IpcMain } from 'electron';\nexport type Kept = IpcMain;\n`,
      ),
    ).toEqual([]);
    const value = await lint('main/ipc/example.ts', `import { ipcMain } from 'electron';${use('ipcMain')}`);
    expect(value.map((m) => m.message)).toEqual([expect.stringContaining('(types only here)')]);
  });
});

describe('layers/window-imports', () => {
  it('refuses a value import from main', async () => {
    const messages = await lint(
      'renderer/src/lib/example.ts',
      `import { formatUri } from '../../../main/sip/message/uri';${use('formatUri')}`,
    );
    expect(messages).toEqual([
      {
        ruleId: 'layers/window-imports',
        message: expect.stringContaining('The window may not import main/sip/message/uri'),
      },
    ]);
  });

  it('refuses a value import even from the contract', async () => {
    const messages = await lint(
      'renderer/src/lib/example.ts',
      `import { commandNames } from '../../../main/contract/commands';${use('commandNames')}`,
    );
    expect(messages.map((m) => m.message)).toEqual([
      expect.stringContaining('The window may import only types from main/contract/commands'),
    ]);
  });

  it('allows type imports from the contract, also in Svelte components', async () => {
    expect(
      await lint(
        'renderer/src/lib/example.ts',
        `import type { AccountDto } from '../../../main/contract/accounts';\nexport type Kept = AccountDto;\n`,
      ),
    ).toEqual([]);
    expect(
      await lint(
        'renderer/src/lib/example.ts',
        `import { type AccountDto } from '../../../main/contract/accounts';\nexport type Kept = AccountDto;\n`,
      ),
    ).toEqual([]);
    const component = await lint(
      'renderer/src/features/Example.svelte',
      `<script lang="ts">\n  import { formatUri } from '../../../main/sip/message/uri';\n  const text = formatUri;\n</script>\n\n<p>{String(text)}</p>\n`,
    );
    expect(component.map((m) => m.ruleId)).toEqual(['layers/window-imports']);
  });

  it('refuses electron in the window', async () => {
    const messages = await lint(
      'renderer/src/lib/example.ts',
      `import { ipcRenderer } from 'electron';${use('ipcRenderer')}`,
    );
    expect(messages.map((m) => m.message)).toEqual([
      expect.stringContaining('The window may not import electron'),
    ]);
  });
});

describe('timers', () => {
  it.each(['setTimeout', 'setInterval', 'setImmediate'])('refuses %s in sip/', async (timer) => {
    const messages = await lint(
      'main/sip/transaction/example.ts',
      `export const t = ${timer}(() => {}, 1);\n`,
    );
    expect(messages).toEqual([
      {
        ruleId: 'no-restricted-globals',
        message: expect.stringContaining('injected Clock (main/platform/clock.ts)'),
      },
    ]);
  });

  it('refuses globalThis.setTimeout and node:timers in services', async () => {
    const messages = await lint(
      'main/services/example.ts',
      `import { setTimeout as wait } from 'node:timers/promises';\nexport const a = globalThis.setTimeout(() => {}, 1);\nexport const b = wait;\n`,
    );
    expect(messages.map((m) => m.ruleId).sort()).toEqual([
      'no-restricted-imports',
      'no-restricted-properties',
    ]);
  });

  it('refuses timers in app/ too, but not in platform/ or the composition roots', async () => {
    const code = `export const t = setTimeout(() => {}, 1);\n`;
    expect((await lint('main/app/example.ts', code)).map((m) => m.ruleId)).toEqual(['no-restricted-globals']);
    for (const file of [
      'main/platform/example.ts',
      'main/index.ts',
      'main/web/web-main.ts',
      'main/cli/example.ts',
    ])
      expect(await lint(file, code)).toEqual([]);
  });
});

describe('the tree as it is', () => {
  it('passes the layer rules', async () => {
    const results = await eslint.lintFiles(['main', 'renderer/src']);
    const layerProblems = results.flatMap((result) =>
      result.messages
        .filter((m) => m.ruleId?.startsWith('layers/') || m.ruleId === 'no-restricted-globals')
        .map((m) => `${result.filePath}: ${m.message}`),
    );
    expect(layerProblems).toEqual([]);
    // Linting the whole tree takes seconds on a busy machine; the verdict does not depend on how many.
  }, 60_000);
});
