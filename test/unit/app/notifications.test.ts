// The notification hook with a fake Notification class.
import { describe, expect, it, vi } from 'vitest';
import type { NotificationConstructorOptions } from 'electron';
import type { NotificationClass } from '../../../main/app/notifications';
import { createNotifier } from '../../../main/app/notifications';

function fakeNotificationClass(supported: boolean) {
  const shown: { options: NotificationConstructorOptions; click?: () => void }[] = [];
  class FakeNotification {
    static isSupported = () => supported;
    readonly record: { options: NotificationConstructorOptions; click?: () => void };
    constructor(options: NotificationConstructorOptions) {
      this.record = { options };
    }
    on(name: string, listener: () => void) {
      if (name === 'click') this.record.click = listener;
      return this;
    }
    show() {
      shown.push(this.record);
    }
  }
  return { Notification: FakeNotification as unknown as NotificationClass, shown };
}

describe('createNotifier', () => {
  it('shows a notification with the title and body', () => {
    const { Notification, shown } = fakeNotificationClass(true);
    expect(createNotifier({ Notification }).notify('Missed call', 'Bob called at 10:02')).toBe(true);
    expect(shown).toHaveLength(1);
    expect(shown[0]!.options).toMatchObject({ title: 'Missed call', body: 'Bob called at 10:02' });
  });

  it('brings the window forward on click when asked to', () => {
    const { Notification, shown } = fakeNotificationClass(true);
    const onClick = vi.fn();
    createNotifier({ Notification, onClick }).notify('Message', 'hello');
    shown[0]!.click!();
    expect(onClick).toHaveBeenCalled();
  });

  it("runs a notification's own click action instead of the notifier's", () => {
    const { Notification, shown } = fakeNotificationClass(true);
    const onClick = vi.fn();
    const own = vi.fn();
    createNotifier({ Notification, onClick }).notify('Incoming call', 'Bob', own);
    shown[0]!.click!();
    expect(own).toHaveBeenCalled();
    expect(onClick).not.toHaveBeenCalled();
  });

  it('bounds text that comes from the network', () => {
    const { Notification, shown } = fakeNotificationClass(true);
    createNotifier({ Notification }).notify('t'.repeat(500), 'b'.repeat(5000));
    expect(shown[0]!.options.title).toHaveLength(100);
    expect(shown[0]!.options.body).toHaveLength(300);
  });

  it('does nothing where notifications are not supported', () => {
    const { Notification, shown } = fakeNotificationClass(false);
    expect(createNotifier({ Notification }).notify('x', 'y')).toBe(false);
    expect(shown).toHaveLength(0);
  });
});
