// Desktop notifications as a narrow hook (`notify(title, body)`) so later features — a missed call, a new message —
// can raise one without knowing about Electron. Clicking a notification brings the window forward.
import type { Notification, NotificationConstructorOptions } from 'electron';

export interface Notifier {
  /**
   * Shows a notification when the system supports them; returns whether one was shown. `onClick` replaces the
   * notifier's own click action for this one (an incoming call's notification opens that call).
   */
  notify(title: string, body: string, onClick?: () => void): boolean;
}

export interface NotificationClass {
  new (options: NotificationConstructorOptions): Pick<Notification, 'on' | 'show'>;
  isSupported(): boolean;
}

export interface NotifierOptions {
  readonly Notification: NotificationClass;
  readonly onClick?: () => void;
}

const maxTitle = 100;
const maxBody = 300;

export function createNotifier(options: NotifierOptions): Notifier {
  return {
    notify(title, body, clicked) {
      if (!options.Notification.isSupported()) return false;
      // Text only and bounded: the content comes from the network (a caller's display name, a message).
      const notification = new options.Notification({
        title: title.slice(0, maxTitle),
        body: body.slice(0, maxBody),
        silent: false,
      });
      const onClick = clicked ?? options.onClick;
      if (onClick) notification.on('click', () => onClick());
      notification.show();
      return true;
    },
  };
}
