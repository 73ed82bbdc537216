// The tray icon: tinted by registration state, its tooltip and menu saying "2 of 3 accounts registered", with Show and
// Quit. It follows the engine's registration and account events.
import type { Menu, MenuItemConstructorOptions, NativeImage, Tray, nativeImage } from 'electron';
import type { EngineEventSource } from '../contract/contract';
import type { IconStyle } from './icon-art';
import { hexColor, renderIcon } from './icon-art';
import { encodePng } from './png';

export interface RegistrationSummary {
  readonly registered: number;
  readonly failing: number;
  readonly total: number;
}

export type TrayState = 'idle' | 'registered' | 'partial' | 'failing';

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
};

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

export interface StatusTrayOptions {
  readonly createTray: (
    image: NativeImage,
  ) => Pick<Tray, 'setToolTip' | 'setContextMenu' | 'setImage' | 'on' | 'destroy'>;
  readonly Menu: Pick<typeof Menu, 'buildFromTemplate'>;
  readonly nativeImage: Pick<typeof nativeImage, 'createFromBuffer'>;
  readonly engine: StatusTrayEngine;
  readonly onShow: () => void;
  readonly onQuit: () => void;
}

export class StatusTray {
  readonly #tray: ReturnType<StatusTrayOptions['createTray']>;
  readonly #unsubscribe: () => void;
  readonly #icons = new Map<TrayState, NativeImage>();
  #text = '';
  #state: TrayState | null = null;

  constructor(private readonly options: StatusTrayOptions) {
    const summary = options.engine.registrationSummary();
    this.#tray = options.createTray(this.#icon(trayState(summary)));
    this.#tray.on('click', () => options.onShow());
    this.update();
    this.#unsubscribe = options.engine.events.subscribe((name) => {
      if (name === 'registration.changed' || name === 'accounts.changed') this.update();
    });
  }

  /** The status line shown in the tooltip and at the top of the menu. */
  get text(): string {
    return this.#text;
  }

  update(): void {
    const summary = this.options.engine.registrationSummary();
    const text = trayStatusText(summary);
    const state = trayState(summary);
    if (state !== this.#state) {
      if (this.#state !== null) this.#tray.setImage(this.#icon(state));
      this.#state = state;
    }
    if (text === this.#text) return;
    this.#text = text;
    this.#tray.setToolTip(`Softphone — ${text}`);
    // Linux only picks up menu changes through a new setContextMenu call.
    this.#tray.setContextMenu(this.options.Menu.buildFromTemplate(this.#menu(text)));
  }

  destroy(): void {
    this.#unsubscribe();
    this.#tray.destroy();
  }

  #menu(text: string): MenuItemConstructorOptions[] {
    return [
      { label: text, enabled: false },
      { type: 'separator' },
      { label: 'Show Softphone', click: () => this.options.onShow() },
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
