import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebUsageError, defaultWebDataDir, parseWebArgs } from '../../../main/web/web-args';

const defaults = { dataDir: '/data/default', rendererDir: '/app/out/renderer' };

describe('parseWebArgs', () => {
  it('defaults to any port and the given folders', () => {
    expect(parseWebArgs([], defaults)).toEqual({ port: 0, ...defaults, help: false, verbose: false });
  });

  it('reads --port and --data-dir in both spellings', () => {
    expect(parseWebArgs(['--port', '8080', '--data-dir=rel/dir'], defaults)).toMatchObject({
      port: 8080,
      dataDir: resolve('rel/dir'),
    });
    expect(parseWebArgs(['--port=0', '--renderer-dir', '/r'], defaults)).toMatchObject({
      port: 0,
      rendererDir: '/r',
    });
  });

  it.each([
    [['--port', '70000']],
    [['--port', '-1']],
    [['--port', 'http']],
    [['--port']],
    [['--data-dir=']],
    [['--bind', '0.0.0.0']],
  ])('refuses %j', (argv) => {
    expect(() => parseWebArgs(argv, defaults)).toThrow(WebUsageError);
  });

  it('notices --help', () => {
    expect(parseWebArgs(['--help'], defaults).help).toBe(true);
  });
});

describe('defaultWebDataDir', () => {
  it('follows XDG_DATA_HOME on Linux', () => {
    expect(defaultWebDataDir({ XDG_DATA_HOME: '/x/data' }, 'linux', '/home/p')).toBe('/x/data/softphone-web');
  });

  it('falls back to ~/.local/share and ignores a relative XDG_DATA_HOME', () => {
    expect(defaultWebDataDir({}, 'linux', '/home/p')).toBe('/home/p/.local/share/softphone-web');
    expect(defaultWebDataDir({ XDG_DATA_HOME: 'rel' }, 'freebsd', '/home/p')).toBe(
      '/home/p/.local/share/softphone-web',
    );
  });

  it('uses the platform folders on macOS and Windows', () => {
    expect(defaultWebDataDir({}, 'darwin', '/Users/p')).toBe(
      '/Users/p/Library/Application Support/softphone-web',
    );
    expect(defaultWebDataDir({ LOCALAPPDATA: 'C:/Users/p/AppData/Local' }, 'win32', 'C:/Users/p')).toMatch(
      /^C:\/Users\/p\/AppData\/Local.softphone-web$/,
    );
  });
});
