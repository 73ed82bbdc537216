// electron-builder configuration: Linux (AppImage, deb), Windows (NSIS), macOS (DMG, hardened runtime with the
// microphone entitlement). Packaging needs a machine with internet (electron-builder downloads Electron and its
// packaging tools); see README.md. Used as `electron-builder --config electron-builder.config.ts`.
import type { Configuration } from 'electron-builder';
import { appId, productName } from './main/app/identity';

const microphoneReason =
  'Softphone uses the microphone to carry your voice in calls. Audio is sent only to the party you are calling.';

export const electronBuilderConfig: Configuration = {
  appId,
  productName,
  copyright: 'Copyright © Softphone contributors',
  directories: { buildResources: 'build', output: 'dist' },
  // Only the electron-vite output and package.json; production dependencies (better-sqlite3, ws, zod) are added by
  // electron-builder itself. Sources, tests and docs stay out.
  files: [
    'out/**/*',
    'package.json',
    '!**/*.map',
    '!node_modules/better-sqlite3/deps/**',
    '!node_modules/better-sqlite3/src/**',
    '!node_modules/better-sqlite3/docs/**',
    // Opus runs from the package's WebAssembly build; its native addons are never loaded.
    '!node_modules/@evan/opus/node/**',
  ],
  // Files that must be real files on disk, outside the asar archive:
  // - a native addon cannot be loaded from inside one;
  // - node's worker_threads start the media worker from the unpacked copy (MediaWorkerHost maps the URL with
  //   asarUnpackedUrl), and everything that module loads must sit beside it: its shared chunks, and the Opus
  //   package, whose wasm the worker resolves from its own folder. test/unit/packaging/media-worker-unpack.test.ts
  //   builds the main bundle and checks that this list covers exactly what the worker loads.
  asarUnpack: [
    'node_modules/better-sqlite3/**/*.node',
    'out/main/media-worker.js',
    'out/main/chunks/**',
    'node_modules/@evan/opus/**',
  ],
  // Rebuild native dependencies (better-sqlite3) against Electron's ABI before packaging — the same work as
  // `electron-builder install-app-deps`.
  npmRebuild: true,
  buildDependenciesFromSource: false,
  protocols: [
    { name: 'SIP address', schemes: ['sip'], role: 'Viewer' },
    { name: 'Telephone number', schemes: ['tel'], role: 'Viewer' },
  ],
  // Electron fuses, flipped in the packaged binary (Electron security checklist): the app cannot be turned into a
  // plain Node runtime (ELECTRON_RUN_AS_NODE, NODE_OPTIONS, --inspect), loads code only from its own app.asar and
  // checks that archive's integrity (macOS and Windows), and file:// gets no privileges beyond a browser's (the
  // window is served from app://softphone/). Nothing here forks with ELECTRON_RUN_AS_NODE.
  electronFuses: {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    onlyLoadAppFromAsar: true,
    enableEmbeddedAsarIntegrityValidation: true,
    grantFileProtocolExtraPrivileges: false,
    enableCookieEncryption: true,
  },
  // Nothing is uploaded anywhere: artifacts stay in dist/.
  publish: null,

  linux: {
    target: ['AppImage', 'deb'],
    icon: 'build/icon.png',
    category: 'Network;Telephony',
    executableName: 'softphone',
    syncDesktopName: true,
    maintainer: 'Softphone contributors',
    synopsis: 'SIP softphone with presence and instant messages',
    desktop: {
      entry: {
        Keywords: 'SIP;VoIP;phone;call;telephony;',
      },
    },
  },
  deb: {
    // safeStorage keeps the password key in the Secret Service when one runs.
    recommends: ['gnome-keyring | kwalletmanager'],
  },
  appImage: {
    artifactName: '${productName}-${version}-${arch}.${ext}',
  },

  win: {
    target: [{ target: 'nsis', arch: ['x64'] }],
    icon: 'build/icon.ico',
  },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    createDesktopShortcut: true,
    createStartMenuShortcut: true,
    shortcutName: productName,
    deleteAppDataOnUninstall: false,
    artifactName: '${productName}-Setup-${version}.${ext}',
  },

  mac: {
    target: [{ target: 'dmg', arch: ['x64', 'arm64'] }],
    icon: 'build/icon.icns',
    category: 'public.app-category.business',
    hardenedRuntime: true,
    gatekeeperAssess: false,
    entitlements: 'build/entitlements.mac.plist',
    entitlementsInherit: 'build/entitlements.mac.plist',
    extendInfo: {
      NSMicrophoneUsageDescription: microphoneReason,
    },
  },
  dmg: {
    artifactName: '${productName}-${version}-${arch}.${ext}',
  },
};

// electron-builder reads a TypeScript configuration's default export.
export default electronBuilderConfig;
