// Command-line options of `npm run web`, checked up front so a typo is a clear message, not a half-started host.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface WebArgs {
  readonly port: number;
  readonly dataDir: string;
  readonly rendererDir: string;
  readonly help: boolean;
  /** Debug logging on stderr. */
  readonly verbose: boolean;
}

export class WebUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebUsageError';
  }
}

export const WEB_USAGE = `usage: npm run web -- [--port N] [--data-dir DIR] [--renderer-dir DIR]

  --port N            port on 127.0.0.1 (default 0: any free port)
  --data-dir DIR      where accounts, settings and the password key are kept
                      (default: ${'$'}XDG_DATA_HOME/softphone-web, or the platform's per-user data folder)
  --renderer-dir DIR  the built interface (default: out/renderer, made by \`npm run build\`)
  --verbose           debug logging on stderr`;

export function parseWebArgs(
  argv: readonly string[],
  defaults: { readonly dataDir: string; readonly rendererDir: string },
): WebArgs {
  let port = 0;
  let dataDir = defaults.dataDir;
  let rendererDir = defaults.rendererDir;
  let help = false;
  let verbose = false;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    const equals = arg.indexOf('=');
    const name = arg.startsWith('--') && equals !== -1 ? arg.slice(0, equals) : arg;
    const inline = arg.startsWith('--') && equals !== -1 ? arg.slice(equals + 1) : undefined;
    const value = (): string => {
      const next = inline ?? argv[++index];
      if (next === undefined || next === '') throw new WebUsageError(`${name} needs a value`);
      return next;
    };
    switch (name) {
      case '--port': {
        const text = value();
        if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535)
          throw new WebUsageError(`--port must be a whole number from 0 to 65535, got ${text}`);
        port = Number(text);
        break;
      }
      case '--data-dir':
        dataDir = resolve(value());
        break;
      case '--renderer-dir':
        rendererDir = resolve(value());
        break;
      case '--verbose':
        verbose = true;
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        throw new WebUsageError(`unknown option ${arg}`);
    }
  }
  return { port, dataDir, rendererDir, help, verbose };
}

/**
 * The per-user data folder for the web host, kept apart from the Electron app's so the two never share a database
 * or a password key: XDG on Linux and other Unixes, Application Support on macOS, LOCALAPPDATA on Windows.
 */
export function defaultWebDataDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const name = 'softphone-web';
  if (platform === 'win32') return join(env['LOCALAPPDATA'] || join(home, 'AppData', 'Local'), name);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', name);
  // XDG says a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env['XDG_DATA_HOME'];
  return join(xdg && xdg.startsWith('/') ? xdg : join(home, '.local', 'share'), name);
}
