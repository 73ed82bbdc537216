// The pre-start step that gives the Electron start its own better-sqlite3 addon (see main/store/native-binding.ts
// for why Node's copy cannot be shared). It builds into .native/electron-<abi>/, never into node_modules: the Node
// copy there serves the tests, the CLI and the web host. A current copy is reused without any work.
import { join } from 'node:path';
import {
  ADDON_FILE_NAME,
  chooseNativeBinding,
  electronAddonDir,
  type NativeAddonStamp,
} from '../main/store/native-binding';
import { paragraph } from './paragraph';

export interface AddonTarget {
  readonly projectRoot: string;
  /** The installed electron package's version and its NODE_MODULE_VERSION (node_modules/electron/abi_version). */
  readonly electronVersion: string;
  readonly abi: string;
  readonly betterSqlite3Version: string;
  readonly platform: string;
  readonly arch: string;
}

export interface AddonStepEffects {
  readonly exists: (path: string) => boolean;
  readonly readStamp: (dir: string) => NativeAddonStamp | null;
  /** Builds or fetches the addon for the target; resolves to the built file, rejects with the reason. */
  readonly build: (target: AddonTarget) => Promise<string>;
  /** The NODE_MODULE_VERSION a built addon declares, or null when it cannot be told. */
  readonly builtAbi: (path: string) => string | null;
  /** Copies the built file into place and writes the stamp beside it. */
  readonly install: (built: string, dir: string, stamp: NativeAddonStamp) => void;
}

export type AddonStepOutcome =
  | { readonly kind: 'current'; readonly path: string }
  | { readonly kind: 'built'; readonly path: string }
  | { readonly kind: 'failed'; readonly message: string };

export function stampFor(target: AddonTarget): NativeAddonStamp {
  return {
    electron: target.electronVersion,
    abi: target.abi,
    betterSqlite3: target.betterSqlite3Version,
    platform: target.platform,
    arch: target.arch,
  };
}

export async function prepareElectronAddon(
  target: AddonTarget,
  effects: AddonStepEffects,
): Promise<AddonStepOutcome> {
  // The same decision the app makes at start, asked for the Electron we are about to launch.
  const choice = chooseNativeBinding({
    electronVersion: target.electronVersion,
    abi: target.abi,
    platform: target.platform,
    arch: target.arch,
    projectRoot: target.projectRoot,
    betterSqlite3Version: target.betterSqlite3Version,
    exists: effects.exists,
    readStamp: effects.readStamp,
  });
  if (choice.kind === 'electron-copy') return { kind: 'current', path: choice.path };
  const dir = electronAddonDir(target.projectRoot, target.abi);
  let built: string;
  try {
    built = await effects.build(target);
  } catch (error) {
    return { kind: 'failed', message: addonFailureMessage(target, error) };
  }
  // A build tool that quietly fell back to Node's headers (an npm `nodedir` setting does that) produces an addon
  // the desktop app cannot load; refuse it here rather than at start.
  const abi = effects.builtAbi(built);
  if (abi !== target.abi)
    return {
      kind: 'failed',
      message: addonFailureMessage(
        target,
        new Error(`the build produced an addon for ABI ${abi ?? 'unknown'}, not ${target.abi}`),
      ),
    };
  effects.install(built, dir, stampFor(target));
  return { kind: 'built', path: join(dir, ADDON_FILE_NAME) };
}

/** One paragraph: what is missing, why, what this step tried, and what to do. */
export function addonFailureMessage(target: AddonTarget, error: unknown): string {
  const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
  return paragraph([
    `Cannot prepare the database addon for the desktop app: better-sqlite3 ${target.betterSqlite3Version} for`,
    `Electron ${target.electronVersion} (ABI ${target.abi}) could not be fetched or built (${reason}).`,
    "The copy in node_modules is built for Node's ABI and stays that way for the tests, the CLI and the web host;",
    "the desktop app needs its own, which this step downloads prebuilt or compiles against Electron's headers",
    '(downloaded too; compiling also needs Python and a C++ compiler). With internet access run `npm start` again:',
    `the copy lands in .native/electron-${target.abi}/ and is reused from then on. Until then \`npm run web\` runs`,
    'the same app in your browser.',
  ]);
}

/**
 * The ABI a V8 addon was built for: node-gyp addons export `node_register_module_v<ABI>` (NODE_MODULE), whose name
 * sits in the file's export table on every platform.
 */
export function addonAbiFromBinary(bytes: Uint8Array): string | null {
  const match = /node_register_module_v(\d+)/.exec(Buffer.from(bytes).toString('latin1'));
  return match?.[1] ?? null;
}

/** The line of a build log that says why, in a few words: a name that did not resolve, a refused connection, … */
export function buildFailureReason(log: string): string {
  const unresolved = /getaddrinfo (?:ENOTFOUND|EAI_AGAIN) ([\w.-]+)/.exec(log);
  if (unresolved) return `no network: ${unresolved[1]} could not be resolved`;
  const network = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH)\b[^\n]*/.exec(log);
  if (network) return `no network: ${network[0].trim().slice(0, 120)}`;
  // node-gyp's wording when it cannot download the headers it compiles against.
  if (/related to network connectivity/.test(log))
    return "no network: Electron's headers could not be downloaded";
  if (/not find any Python|find Python/i.test(log)) return 'Python, which node-gyp needs, was not found';
  if (/\b(make|g\+\+|cc1plus|MSBuild|cl\.exe)\b.*(not found|error)/i.test(log))
    return 'the C++ build failed (is a compiler installed?)';
  return 'the build failed';
}
