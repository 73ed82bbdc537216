// Electron composition root: claims the single instance, starts the engine (or its stand-in when the store cannot
// open), and wires the window, its security, the IPC transport, the tray, protocol links and the quit order.
// Nothing else lives here; each part is in main/app/ or main/ipc/.
import { join } from 'node:path';
import {
  app,
  BrowserWindow,
  ipcMain,
  Menu,
  MessageChannelMain,
  nativeImage,
  nativeTheme,
  Notification,
  powerMonitor,
  protocol,
  safeStorage,
  session,
  shell,
  Tray,
} from 'electron';
import type { WebContents } from 'electron';
import { createAppOrigin } from './app/app-origin';
import { CallAlerts } from './app/call-alerts';
import { MessageAlerts } from './app/message-alerts';
import { APP_SCHEME, createAppProtocolHandler, privilegedSchemes } from './app/app-protocol';
import { createConsoleLogger } from './app/console-logger';
import { appId } from './app/identity';
import { AppLifecycle, claimSingleInstance, findProtocolUri, registerProtocolClients } from './app/lifecycle';
import { createNotifier } from './app/notifications';
import { SafeStorageCipher } from './app/safe-storage-cipher';
import { applySessionSecurity, contentSecurityPolicy, guardWebContents } from './app/security';
import { startEngineOrFallback } from './app/shell-engine';
import { systemIdleSource } from './app/system-idle';
import { StatusTray } from './app/tray';
import { createMainWindow, loadApp, revealWindow } from './app/window';
import { attachElectronAudio } from './ipc/electron-audio';
import { attachElectronTransport } from './ipc/electron-transport';
import { asarUnpackedUrl } from './media/session/media-worker-host';
import { SystemClock } from './platform/clock';
import { DEFAULT_REJECT_STATUS } from './contract/limits';
import { createEngine, databasePathIn } from './services/engine';
import { CallAudioClaims } from './services/call-audio-claims';
import { EventHub } from './services/event-hub';

/** How long quitting waits for accounts to unregister before closing anyway. */
const shutdownTimeoutMs = 3000;

const logger = createConsoleLogger(process.env['SOFTPHONE_DEBUG'] !== undefined);

// Kept for the life of the process: a tray that is garbage-collected disappears from the screen.
let statusTray: StatusTray | null = null;

async function start(): Promise<void> {
  if (!claimSingleInstance(app)) {
    app.quit();
    return;
  }
  // Every renderer sandboxed, whatever a future window's options say.
  app.enableSandbox();
  if (process.platform === 'win32') app.setAppUserModelId(appId);

  const lifecycle = new AppLifecycle({
    app,
    platform: process.platform,
    clock: new SystemClock(),
    shutdownTimeoutMs,
    logger,
  });
  const launchUri = findProtocolUri(process.argv);
  if (launchUri !== null) lifecycle.deliverUri(launchUri);
  app.on('web-contents-created', (_event, contents) =>
    guardWebContents(contents, { openExternal: (url) => shell.openExternal(url), logger }),
  );

  // Custom schemes get their privileges only when registered before the app is ready.
  protocol.registerSchemesAsPrivileged([...privilegedSchemes]);

  await app.whenReady();
  registerProtocolClients(app, { packaged: app.isPackaged, logger });

  const secrets = new SafeStorageCipher(safeStorage);
  const dataDir = app.getPath('userData');
  const { engine } = await startEngineOrFallback(
    () =>
      createEngine({
        dataDir,
        secrets,
        host: 'electron',
        logger,
        // Idle time from the OS, so "available" becomes "away" after settings.idleAwayMinutes without input.
        idle: systemIdleSource(powerMonitor),
        // Packaged, the media worker's module is in app.asar; worker_threads start it from the unpacked copy.
        resolveMediaWorkerUrl: app.isPackaged ? asarUnpackedUrl : undefined,
        // The first call of the day starts with warm media code too.
        warmMediaAtStart: true,
      }),
    () => ({
      version: app.getVersion(),
      passwordProtection: secrets.protection,
      databasePath: databasePathIn(dataDir),
    }),
    logger,
  );
  lifecycle.attachEngine(engine);

  // The dev server is honoured only in an unpackaged run (electron-vite dev sets it).
  const devServerUrl = app.isPackaged ? null : (process.env['ELECTRON_RENDERER_URL'] ?? null);
  const origin = createAppOrigin({ devServerUrl });
  const devServerOrigin = origin.entry.servedByApp ? null : new URL(origin.entry.url).origin;
  // The built renderer is served from app://softphone/ with our CSP as a response header (not from file://).
  protocol.handle(
    APP_SCHEME,
    createAppProtocolHandler({
      rendererRoot: join(import.meta.dirname, '../renderer'),
      contentSecurityPolicy: contentSecurityPolicy(null),
    }),
  );

  let windowContents: WebContents | null = null;
  applySessionSecurity(session.defaultSession, {
    origin,
    isOurWebContents: (contents) => contents !== null && contents === windowContents,
    devServerOrigin,
    logger,
  });

  const window = createMainWindow(BrowserWindow, {
    preloadPath: join(import.meta.dirname, '../preload/index.cjs'),
    darkBackground: nativeTheme.shouldUseDarkColors,
  });
  windowContents = window.webContents;
  // Each call's audio reaches the window through a MessagePort of its own; one window hears a call at a time.
  attachElectronAudio({
    ipcMain,
    webContents: window.webContents,
    claims: new CallAudioClaims(engine),
    isAppUrl: origin.isAppUrl,
    createChannel: () => new MessageChannelMain(),
    logger,
  });
  // The window hears the engine's events and the shell's own (`chat.open` from a clicked message notification).
  const windowEvents = new EventHub(logger);
  engine.events.subscribe((name, payload) => windowEvents.emit(name, payload));
  attachElectronTransport({
    ipcMain,
    webContents: window.webContents,
    router: engine.router,
    events: windowEvents,
    isAppUrl: origin.isAppUrl,
    logger,
  });
  // Calls reach the person outside the window too: a notification when the window is not in front, the tray.
  const callAlerts = new CallAlerts({
    events: engine.events,
    notifier: createNotifier({ Notification, onClick: () => revealWindow(window) }),
    isWindowFocused: () => !window.isDestroyed() && window.isFocused(),
    // The prompt is on every view of the window: bringing the window forward shows that call.
    onOpenCall: () => revealWindow(window),
  });
  window.on('focus', () => callAlerts.windowFocused());
  // New messages too; with the window in front, the window shows its own notice.
  new MessageAlerts({
    events: engine.events,
    notifier: createNotifier({ Notification, onClick: () => revealWindow(window) }),
    isWindowFocused: () => !window.isDestroyed() && window.isFocused(),
    onOpenConversation: (conversationId) => {
      revealWindow(window);
      windowEvents.emit('chat.open', { conversationId });
    },
    schedule: (ms, run) => {
      const timer = setTimeout(run, ms);
      return () => clearTimeout(timer);
    },
  });
  const command = (name: 'calls.answer' | 'calls.reject', args: unknown[]) => {
    void engine.router.dispatch(name, args).then((result) => {
      if (!result.ok) logger.log('warn', `${name} from the tray failed`, { error: result.error.message });
    });
  };
  statusTray = new StatusTray({
    createTray: (image) => new Tray(image),
    Menu,
    nativeImage,
    engine,
    onShow: () => revealWindow(window),
    onQuit: () => app.quit(),
    calls: callAlerts,
    onAnswer: (callId) => {
      // Answering is talking: the window with the call screen (and its microphone) comes forward.
      revealWindow(window);
      command('calls.answer', [callId]);
    },
    onDecline: (callId) => command('calls.reject', [callId, DEFAULT_REJECT_STATUS]),
  });

  try {
    await loadApp(window, origin.entry);
  } catch (error) {
    logger.log('error', 'the interface failed to load', { error: String(error) });
    window.show();
  }
  lifecycle.attachWindow(window);
}

start().catch((error: unknown) => {
  logger.log('error', 'the app failed to start', {
    error: error instanceof Error ? error.stack : String(error),
  });
  statusTray?.destroy();
  app.exit(1);
});
