// System notifications for calls in the web host, through the browser's Notification API (in the desktop app the
// main process raises them). A call that rings while the tab is hidden or not focused gets one, closed again when
// it stops ringing; clicking it brings the tab forward, where the prompt is. A missed call gets one too. Permission
// is asked only when the person asks for it (the settings' button), never on load. Names go through the same
// cleaning as everywhere (text only, bounded), and every notification is text: no HTML, no icon from the network.
import type { CallDto } from '../../../../main/contract/contract';
import { peerAddress, peerTitle } from '../../../../main/contract/peer-text';

export type NotifyPermission = NotificationPermission | 'unsupported';

/** The shown notification, as far as we touch it. */
export interface ShownNotification {
  close(): void;
}

/** The browser's Notification API, narrowed so tests can hand in a fake. */
export interface NotificationPort {
  permission(): NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
  show(title: string, body: string, tag: string, onClick: () => void): ShownNotification;
}

/** Whether the person is looking at this tab, and how to bring it forward. */
export interface PagePresence {
  isInView(): boolean;
  focus(): void;
}

export function browserNotificationPort(): NotificationPort | null {
  if (typeof Notification === 'undefined') return null;
  return {
    permission: () => Notification.permission,
    requestPermission: () => Notification.requestPermission(),
    show: (title, body, tag, onClick) => {
      const shown = new Notification(title, { body, tag });
      shown.onclick = () => onClick();
      return shown;
    },
  };
}

export const browserPagePresence: PagePresence = {
  isInView: () => !document.hidden && document.hasFocus(),
  focus: () => window.focus(),
};

/** What to call a far end; the app passes one that looks the address up in the contacts first. */
export type PeerNamer = (peer: { readonly peerName: string | null; readonly peerUri: string }) => string;

function callerLine(call: CallDto, name: PeerNamer): string {
  const title = name(call);
  const address = peerAddress(call);
  return title === address ? address : `${title} (${address})`;
}

export class CallNotifier {
  permission = $state<NotifyPermission>('unsupported');
  /** For a polite live region: what asking for permission came to. */
  announcement = $state('');
  // Plain records, not reactive: the effect that fills them must not rerun because it did.
  #shown: Record<string, ShownNotification> = {};
  /** Calls already seen ringing, so each rings a notification once. */
  #seen: Record<string, true> = {};

  constructor(
    private readonly calls: {
      readonly list: readonly CallDto[];
      onEnded(listener: (call: CallDto) => void): () => void;
    },
    private readonly port: NotificationPort | null,
    private readonly page: PagePresence,
    private readonly name: PeerNamer = peerTitle,
  ) {
    this.permission = port ? port.permission() : 'unsupported';
  }

  /** Asks the browser for permission; call it from a click. */
  async ask(): Promise<NotifyPermission> {
    if (!this.port) return 'unsupported';
    try {
      this.permission = await this.port.requestPermission();
    } catch {
      this.permission = this.port.permission();
    }
    this.announcement =
      this.permission === 'granted'
        ? 'Call notifications are on.'
        : this.permission === 'denied'
          ? "Call notifications are blocked in this browser's site settings."
          : 'Call notifications stay off.';
    return this.permission;
  }

  /** Follows the calls until the returned function is called. */
  start(): () => void {
    const stopEffects = $effect.root(() => {
      $effect(() => {
        const ringing = this.calls.list.filter((call) => call.state === 'incoming');
        this.#follow(ringing);
      });
    });
    const stopEnded = this.calls.onEnded((call) => {
      if (call.direction === 'incoming' && call.end?.reason === 'missed')
        this.#notify('Missed call', call, 'missed');
    });
    return () => {
      stopEffects();
      stopEnded();
      for (const shown of Object.values(this.#shown)) shown.close();
      this.#shown = {};
    };
  }

  #follow(ringing: readonly CallDto[]): void {
    const ids = ringing.map((call) => call.id);
    for (const [id, shown] of Object.entries(this.#shown)) if (!ids.includes(id)) shown.close();
    const shownBefore = this.#shown;
    const seenBefore = this.#seen;
    // Only the calls ringing now are kept, so both records stay as small as the calls under way.
    this.#shown = {};
    this.#seen = {};
    for (const call of ringing) {
      this.#seen[call.id] = true;
      const earlier = shownBefore[call.id];
      if (earlier) this.#shown[call.id] = earlier;
      if (seenBefore[call.id]) continue;
      const shown = this.#notify('Incoming call', call, 'incoming');
      if (shown) this.#shown[call.id] = shown;
    }
  }

  #notify(title: string, call: CallDto, kind: string): ShownNotification | null {
    if (!this.port || this.page.isInView() || this.port.permission() !== 'granted') return null;
    try {
      const shown: ShownNotification = this.port.show(
        title,
        callerLine(call, this.name),
        `${kind}-${call.id}`,
        () => {
          this.page.focus();
          shown.close();
        },
      );
      return shown;
    } catch {
      // Some browsers refuse page notifications outright (Android Chrome wants a service worker): nothing to do.
      return null;
    }
  }
}
