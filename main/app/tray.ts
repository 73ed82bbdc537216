// The tray icon: tinted by registration state, its tooltip and menu saying "2 of 3 accounts registered", with Show and
// Quit. It follows the engine's registration and account events. With calls (CallAlerts) it also shows a call
// ringing here (its own icon, the caller in the tooltip, Answer and Decline in the menu) and the calls missed
// since the window was last in front.
import type { Menu, MenuItemConstructorOptions, NativeImage, Tray, nativeImage } from 'electron';
import type { EngineEventSource } from '../contract/contract';
import { cleanPeerText } from '../contract/peer-text';
import type { RingingCall } from './call-alerts';
import type { IconStyle } from './icon-art';
import { hexColor, renderIcon } from './icon-art';
import { encodePng } from './png';

export interface RegistrationSummary {
  readonly registered: number;
  readonly failing: number;
  readonly total: number;
}

export type TrayState = 'idle' | 'registered' | 'partial' | 'failing' | 'ringing';

export function trayState(summary: RegistrationSummary): TrayState {
  if (summary.failing > 0) return 'failing';
  if (summary.total === 0 || summary.registered === 0) return 'idle';
  return summary.registered >= summary.total ? 'registered' : 'partial';
}

/** "2 of 3 accounts registered", "1 of 1 account registered, 1 failing", "No accounts". */
export function trayStatusText(summary: RegistrationSummary): string {
  if (summary.total === 0) return 'No accounts';
  const noun = summary.total === 1 ? 'account' : 'accounts';
  const failing = summary.failing > 0 ? `, ${summary.failing} failing` : '';
  return `${summary.registered} of ${summary.total} ${noun} registered${failing}`;
}

const stateColours: Record<TrayState, readonly [string, string]> = {
  idle: ['#8b949e', '#6e7681'],
  registered: ['#3fb950', '#1a7f37'],
  partial: ['#e3b341', '#bf8700'],
  failing: ['#f85149', '#cf222e'],
  ringing: ['#58a6ff', '#0969da'],
};

/** Longest caller name in the tooltip and menu (Windows cuts tooltips at 127 characters). */
const TRAY_NAME_MAX = 40;

/** "1 missed call", "3 missed calls". */
export function missedCallsText(count: number): string {
  return `${count} missed call${count === 1 ? '' : 's'}`;
}

/** A menu label shows `&` as a mnemonic marker on Windows and Linux: a caller's name shows it as itself. */
function menuText(text: string): string {
  return text.replaceAll('&', '&&');
}

function trayIconStyle(state: TrayState): IconStyle {
  const [top, bottom] = stateColours[state];
  return { top: hexColor(top), bottom: hexColor(bottom), shape: 'circle' };
}

/** The tray icon for a state as PNG files: 16 px for scale 1 and 32 px for scale 2. */
export function trayIconPngs(state: TrayState): { readonly x1: Buffer; readonly x2: Buffer } {
  const style = trayIconStyle(state);
  return { x1: encodePng(renderIcon(16, style), 16, 16), x2: encodePng(renderIcon(32, style), 32, 32) };
}

export interface StatusTrayEngine {
  registrationSummary(): RegistrationSummary;
  readonly events: EngineEventSource;
}

/** The calls as the tray needs them: CallAlerts. */
export interface TrayCalls {
  readonly ringing: readonly RingingCall[];
  readonly missedCount: number;
  onChange(listener: () => void): () => void;
}

export interface StatusTrayOptions {
  readonly createTray: (
    image: NativeImage,
  ) => Pick<Tray, 'setToolTip' | 'setContextMenu' | 'setImage' | 'on' | 'destroy'>;
  readonly Menu: Pick<typeof Menu, 'buildFromTemplate'>;
  readonly nativeImage: Pick<typeof nativeImage, 'createFromBuffer'>;
  readonly engine: StatusTrayEngine;
  readonly onShow: () => void;
  readonly onQuit: () => void;
  readonly calls?: TrayCalls;
  readonly onAnswer?: (callId: string) => void;
  readonly onDecline?: (callId: string) => void;
}

export class StatusTray {
  readonly #tray: ReturnType<StatusTrayOptions['createTray']>;
  readonly #unsubscribe: () => void;
  readonly #unsubscribeCalls: () => void;
  readonly #icons = new Map<TrayState, NativeImage>();
  #text = '';
  /** What the menu was last built from, so an unchanged menu is not rebuilt. */
  #menuKey = '';
  #state: TrayState | null = null;

  constructor(private readonly options: StatusTrayOptions) {
    const summary = options.engine.registrationSummary();
    this.#tray = options.createTray(this.#icon(trayState(summary)));
    this.#tray.on('click', () => options.onShow());
    this.update();
    this.#unsubscribe = options.engine.events.subscribe((name) => {
      if (name === 'registration.changed' || name === 'accounts.changed') this.update();
    });
    this.#unsubscribeCalls = options.calls?.onChange(() => this.update()) ?? (() => undefined);
  }

  /** The status line shown in the tooltip and at the top of the menu. */
  get text(): string {
    return this.#text;
  }

  update(): void {
    const summary = this.options.engine.registrationSummary();
    const text = trayStatusText(summary);
    const ringing = (this.options.calls?.ringing ?? []).map((call) => ({
      id: call.id,
      title: cleanPeerText(call.title, TRAY_NAME_MAX),
    }));
    const missed = this.options.calls?.missedCount ?? 0;
    const state = ringing.length > 0 ? 'ringing' : trayState(summary);
    if (state !== this.#state) {
      if (this.#state !== null) this.#tray.setImage(this.#icon(state));
      this.#state = state;
    }
    this.#text = text;
    const key = JSON.stringify([text, ringing, missed]);
    if (key === this.#menuKey) return;
    this.#menuKey = key;
    const first = ringing[0];
    const headline = first ? `Incoming call from ${first.title}` : text;
    const tooltip = missed > 0 ? `${headline} · ${missedCallsText(missed)}` : headline;
    this.#tray.setToolTip(`Softphone — ${tooltip}`);
    // Linux only picks up menu changes through a new setContextMenu call.
    this.#tray.setContextMenu(this.options.Menu.buildFromTemplate(this.#menu(text, ringing, missed)));
  }

  destroy(): void {
    this.#unsubscribe();
    this.#unsubscribeCalls();
    this.#tray.destroy();
  }

  #menu(text: string, ringing: readonly RingingCall[], missed: number): MenuItemConstructorOptions[] {
    const { onAnswer, onDecline, onShow } = this.options;
    const calls = ringing.flatMap((call): MenuItemConstructorOptions[] => [
      { label: menuText(`Incoming call from ${call.title}`), enabled: false },
      ...(onAnswer ? [{ label: 'Answer', click: () => onAnswer(call.id) }] : []),
      ...(onDecline ? [{ label: 'Decline', click: () => onDecline(call.id) }] : []),
      { type: 'separator' },
    ]);
    const missedItems: MenuItemConstructorOptions[] =
      missed > 0 ? [{ label: `${missedCallsText(missed)} — show`, click: () => onShow() }] : [];
    return [
      ...calls,
      { label: text, enabled: false },
      ...missedItems,
      { type: 'separator' },
      { label: 'Show Softphone', click: () => onShow() },
      { label: 'Quit', click: () => this.options.onQuit() },
    ];
  }

  #icon(state: TrayState): NativeImage {
    const cached = this.#icons.get(state);
    if (cached) return cached;
    const pngs = trayIconPngs(state);
    const image = this.options.nativeImage.createFromBuffer(pngs.x1, { scaleFactor: 1 });
    image.addRepresentation({ scaleFactor: 2, buffer: pngs.x2 });
    this.#icons.set(state, image);
    return image;
  }
}
