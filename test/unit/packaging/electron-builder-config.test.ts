// The packaging configuration cannot be exercised here (electron-builder downloads Electron and its tools), so its
// shape is checked instead: targets per platform, protocols, the macOS microphone entitlement and usage text, the
// native module kept outside the archive, and only the build output packaged. Then electron-builder's own loader
// reads the file and its own JSON schema validates it.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Configuration, TargetConfiguration } from 'electron-builder';
import { electronBuilderConfig as config } from '../../../electron-builder.config';
import { appId } from '../../../main/app/identity';
import { protocolSchemes } from '../../../main/app/lifecycle';

const root = join(import.meta.dirname, '../../..');

function targetNames(target: unknown): string[] {
  const list = (Array.isArray(target) ? target : target == null ? [] : [target]) as (
    string | TargetConfiguration
  )[];
  return list.map((entry) => (typeof entry === 'string' ? entry : entry.target));
}

describe('electron-builder configuration', () => {
  it('names the app', () => {
    expect(config.appId).toBe(appId);
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z0-9-]+){2,}$/);
    expect(config.productName).toBe('Softphone');
  });

  it('builds AppImage and deb on Linux, NSIS on Windows, DMG on macOS', () => {
    expect(targetNames(config.linux?.target)).toEqual(['AppImage', 'deb']);
    expect(targetNames(config.win?.target)).toEqual(['nsis']);
    expect(targetNames(config.mac?.target)).toEqual(['dmg']);
  });

  it('registers the sip: and tel: protocols the app claims at run time', () => {
    const protocols = Array.isArray(config.protocols) ? config.protocols : [config.protocols!];
    const schemes = protocols.flatMap((protocol) => protocol.schemes);
    expect(schemes.sort()).toEqual([...protocolSchemes].sort());
  });

  it('lets the Linux desktop entry register the sip: and tel: handlers', () => {
    // electron-builder writes MimeType=x-scheme-handler/<scheme>; for each protocol above, and Exec=… %U so the
    // clicked link reaches argv; an entry of our own for either key, or launch arguments without %U, would break it.
    const entry = (config.linux?.desktop as { entry?: Record<string, string> } | undefined)?.entry ?? {};
    expect(Object.keys(entry)).not.toContain('MimeType');
    expect(Object.keys(entry)).not.toContain('Exec');
    expect(config.linux?.executableArgs ?? []).toEqual([]);
    const protocols = Array.isArray(config.protocols) ? config.protocols : [config.protocols!];
    expect(protocols.every((protocol) => protocol.schemes.every((scheme) => /^[a-z]+$/.test(scheme)))).toBe(
      true,
    );
  });

  it('uses the hardened runtime on macOS with the microphone entitlement and a usage description', () => {
    expect(config.mac?.hardenedRuntime).toBe(true);
    expect(config.mac?.entitlements).toBe('build/entitlements.mac.plist');
    expect(config.mac?.entitlementsInherit).toBe('build/entitlements.mac.plist');
    const plist = readFileSync(join(root, 'build/entitlements.mac.plist'), 'utf8');
    expect(plist).toMatch(/<key>com\.apple\.security\.device\.audio-input<\/key>\s*<true\/>/);
    expect(plist).toMatch(/<key>com\.apple\.security\.cs\.allow-jit<\/key>\s*<true\/>/);
    expect(plist).not.toMatch(/device\.camera/);
    const usage = (config.mac?.extendInfo as Record<string, unknown> | undefined)?.[
      'NSMicrophoneUsageDescription'
    ];
    expect(typeof usage).toBe('string');
    expect((usage as string).length).toBeGreaterThan(20);
  });

  it("keeps better-sqlite3's native module out of the asar archive and rebuilds it for Electron", () => {
    const unpack = Array.isArray(config.asarUnpack) ? config.asarUnpack : [config.asarUnpack];
    expect(unpack.some((pattern) => pattern?.includes('better-sqlite3') && pattern.endsWith('.node'))).toBe(
      true,
    );
    expect(config.npmRebuild).toBe(true);
  });

  it('packages the build output and nothing of the sources', () => {
    const files = config.files as string[];
    expect(files).toContain('out/**/*');
    expect(files.filter((pattern) => !pattern.startsWith('!'))).toEqual(['out/**/*', 'package.json']);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main.startsWith('out/')).toBe(true);
  });

  it('points at icons that exist', () => {
    for (const icon of [config.linux?.icon, config.win?.icon, config.mac?.icon]) {
      expect(icon).toBeTruthy();
      expect(existsSync(join(root, icon!))).toBe(true);
    }
    expect(config.directories?.buildResources).toBe('build');
  });

  it('sets the Electron fuses of the security checklist', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
      enableCookieEncryption: true,
    });
    // The archive the fuses insist on must exist: asar packaging stays on.
    expect(config.asar ?? true).toBe(true);
  });

  it('publishes nowhere', () => {
    expect(config.publish).toBeNull();
  });

  it("is read by electron-builder's own loader and passes its schema", async () => {
    // electron-builder's internals (app-builder-lib, its dependency): the same calls `electron-builder --config` makes.
    const require = createRequire(join(root, 'package.json'));
    const loader = require('app-builder-lib/out/util/config/config.js') as {
      getConfig(
        projectDir: string,
        configPath: string | null,
        configFromOptions: null,
      ): Promise<Configuration>;
      validateConfiguration(
        config: Configuration,
        debugLogger: { isEnabled: boolean; add(): void },
      ): Promise<void>;
    };
    const loaded = await loader.getConfig(root, 'electron-builder.config.ts', null);
    expect(loaded.appId).toBe(appId);
    await expect(
      loader.validateConfiguration(loaded, { isEnabled: false, add: () => undefined }),
    ).resolves.toBeUndefined();
  }, 30_000);
});
