// The tray with fake Tray, Menu and nativeImage: its tooltip and first menu line say how many accounts are
// registered, follow the engine's events, and its items show the window and quit.
import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { FakeEngine, account, status } from '../../support/fake-engine';
import type { RegistrationSummary, StatusTrayOptions } from '../../../main/app/tray';
import type { TrayCalls } from '../../../main/app/tray';
import { StatusTray, missedCallsText, trayIconPngs, trayState, trayStatusText } from '../../../main/app/tray';
import type { RingingCall } from '../../../main/app/call-alerts';

describe('trayStatusText', () => {
  it.each([
    [{ registered: 2, failing: 0, total: 3 }, '2 of 3 accounts registered'],
    [{ registered: 1, failing: 0, total: 1 }, '1 of 1 account registered'],
    [{ registered: 0, failing: 1, total: 1 }, '0 of 1 account registered, 1 failing'],
    [{ registered: 1, failing: 2, total: 3 }, '1 of 3 accounts registered, 2 failing'],
    [{ registered: 0, failing: 0, total: 0 }, 'No accounts'],
  ])('%j → %s', (summary, text) => {
    expect(trayStatusText(summary)).toBe(text);
  });
});

describe('trayState', () => {
  it.each([
    [{ registered: 3, failing: 0, total: 3 }, 'registered'],
    [{ registered: 2, failing: 0, total: 3 }, 'partial'],
    [{ registered: 2, failing: 1, total: 3 }, 'failing'],
    [{ registered: 0, failing: 0, total: 2 }, 'idle'],
    [{ registered: 0, failing: 0, total: 0 }, 'idle'],
  ] as const)('%j → %s', (summary, state) => {
    expect(trayState(summary)).toBe(state);
  });
});

describe('trayIconPngs', () => {
  it('draws 16 and 32 px PNGs, different per state', () => {
    const registered = trayIconPngs('registered');
    const failing = trayIconPngs('failing');
    expect(registered.x1.readUInt32BE(16)).toBe(16);
    expect(registered.x2.readUInt32BE(16)).toBe(32);
    expect(registered.x2.equals(failing.x2)).toBe(false);
  });
});

/** Puts `total` enabled accounts in the engine, the first `registered` of them registered and the next `failing` failed. */
function arrange(engine: FakeEngine, summary: RegistrationSummary): void {
  engine.accounts = Array.from({ length: summary.total }, (_, order) => account({ id: `a${order}`, order }));
  engine.statuses = engine.accounts.flatMap((item, index) => {
    if (index < summary.registered) return [status({ accountId: item.id, state: 'registered' })];
    if (index < summary.registered + summary.failing)
      return [status({ accountId: item.id, state: 'failed', failure: 'timeout' })];
    return [];
  });
}

function setup(initial: RegistrationSummary, extra: Partial<StatusTrayOptions> = {}) {
  const engine = new FakeEngine();
  arrange(engine, initial);
  const tray = {
    setToolTip: vi.fn(),
    setContextMenu: vi.fn(),
    setImage: vi.fn(),
    destroy: vi.fn(),
    clickListeners: [] as (() => void)[],
    on: vi.fn((name: string, listener: () => void) => {
      if (name === 'click') tray.clickListeners.push(listener);
      return tray;
    }),
  };
  const images: { scaleFactor: number; size: number; extra: { scaleFactor: number; size: number }[] }[] = [];
  const options = {
    createTray: vi.fn(() => tray),
    Menu: { buildFromTemplate: vi.fn((template: MenuItemConstructorOptions[]) => ({ template })) },
    nativeImage: {
      createFromBuffer: vi.fn((buffer: Buffer, opts?: { scaleFactor?: number }) => {
        const image = {
          scaleFactor: opts?.scaleFactor ?? 1,
          size: buffer.readUInt32BE(16),
          extra: [] as { scaleFactor: number; size: number }[],
        };
        images.push(image);
        return {
          addRepresentation: (rep: { scaleFactor: number; buffer?: Buffer }) =>
            image.extra.push({ scaleFactor: rep.scaleFactor, size: rep.buffer!.readUInt32BE(16) }),
        };
      }),
    },
    engine,
    onShow: vi.fn(),
    onQuit: vi.fn(),
  };
  const statusTray = new StatusTray({ ...options, ...extra } as unknown as StatusTrayOptions);
  const lastMenu = () => {
    const calls = options.Menu.buildFromTemplate.mock.calls;
    return calls[calls.length - 1]![0];
  };
  const set = (next: RegistrationSummary) => arrange(engine, next);
  const emit = (name: 'registration.changed' | 'accounts.changed' | 'settings.changed') => {
    if (name === 'registration.changed')
      engine.emit(name, engine.statuses[0] ?? status({ accountId: 'a0', state: 'registered' }));
    else if (name === 'accounts.changed') engine.emit(name, engine.accounts);
    else engine.emit(name, engine.settings);
  };
  return { statusTray, tray, options, lastMenu, set, emit, engine, images };
}

describe('StatusTray', () => {
  it('shows "2 of 3 accounts registered" in the tooltip and at the top of the menu', () => {
    const t = setup({ registered: 2, failing: 0, total: 3 });
    expect(t.statusTray.text).toBe('2 of 3 accounts registered');
    expect(t.tray.setToolTip).toHaveBeenCalledWith('Softphone — 2 of 3 accounts registered');
    const menu = t.lastMenu();
    expect(menu[0]).toMatchObject({ label: '2 of 3 accounts registered', enabled: false });
    expect(menu.map((item) => item.label ?? item.type)).toEqual([
      '2 of 3 accounts registered',
      'separator',
      'Show Softphone',
      'Quit',
    ]);
  });

  it('gives the tray a 16 px icon with a 32 px representation for high-density screens', () => {
    const t = setup({ registered: 0, failing: 0, total: 0 });
    expect(t.images[0]).toEqual({ scaleFactor: 1, size: 16, extra: [{ scaleFactor: 2, size: 32 }] });
  });

  it('follows registration and account events', () => {
    const t = setup({ registered: 2, failing: 0, total: 3 });
    t.set({ registered: 3, failing: 0, total: 3 });
    t.emit('registration.changed');
    expect(t.tray.setToolTip).toHaveBeenLastCalledWith('Softphone — 3 of 3 accounts registered');
    expect(t.tray.setImage).toHaveBeenCalledTimes(1);
    t.set({ registered: 3, failing: 0, total: 4 });
    t.emit('accounts.changed');
    expect(t.lastMenu()[0]!.label).toBe('3 of 4 accounts registered');
  });

  it('ignores unrelated events and does not rebuild an unchanged menu', () => {
    const t = setup({ registered: 1, failing: 0, total: 1 });
    const builds = t.options.Menu.buildFromTemplate.mock.calls.length;
    t.emit('settings.changed');
    t.emit('registration.changed');
    expect(t.options.Menu.buildFromTemplate.mock.calls.length).toBe(builds);
  });

  it('Show and a click on the icon show the window; Quit quits', () => {
    const t = setup({ registered: 1, failing: 0, total: 1 });
    const menu = t.lastMenu();
    (menu[2]!.click as () => void)();
    expect(t.options.onShow).toHaveBeenCalledTimes(1);
    t.tray.clickListeners[0]!();
    expect(t.options.onShow).toHaveBeenCalledTimes(2);
    (menu[3]!.click as () => void)();
    expect(t.options.onQuit).toHaveBeenCalledTimes(1);
  });

  it('destroy stops listening and removes the icon', () => {
    const t = setup({ registered: 1, failing: 0, total: 1 });
    t.statusTray.destroy();
    expect(t.engine.listenerCount()).toBe(0);
    expect(t.tray.destroy).toHaveBeenCalled();
  });
});

/** Calls as CallAlerts gives them, changed by the test. */
class FakeCalls implements TrayCalls {
  ringing: RingingCall[] = [];
  missedCount = 0;
  readonly listeners = new Set<() => void>();
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
  set(ringing: RingingCall[], missed = this.missedCount): void {
    this.ringing = ringing;
    this.missedCount = missed;
    for (const listener of this.listeners) listener();
  }
}

describe('missedCallsText', () => {
  it('counts in words', () => {
    expect(missedCallsText(1)).toBe('1 missed call');
    expect(missedCallsText(3)).toBe('3 missed calls');
  });
});

describe('StatusTray with calls', () => {
  function withCalls() {
    const calls = new FakeCalls();
    const onAnswer = vi.fn();
    const onDecline = vi.fn();
    const t = setup({ registered: 1, failing: 0, total: 1 }, { calls, onAnswer, onDecline });
    return { ...t, calls, onAnswer, onDecline };
  }

  it('shows a ringing call: its own icon, the caller in the tooltip, Answer and Decline in the menu', () => {
    const t = withCalls();
    t.calls.set([{ id: 'c1', title: 'Bob' }]);
    expect(t.tray.setImage).toHaveBeenCalledTimes(1);
    expect(t.tray.setToolTip).toHaveBeenLastCalledWith('Softphone — Incoming call from Bob');
    const menu = t.lastMenu();
    expect(menu.map((item) => item.label ?? item.type)).toEqual([
      'Incoming call from Bob',
      'Answer',
      'Decline',
      'separator',
      '1 of 1 account registered',
      'separator',
      'Show Softphone',
      'Quit',
    ]);
    (menu[1]!.click as () => void)();
    expect(t.onAnswer).toHaveBeenCalledWith('c1');
    (menu[2]!.click as () => void)();
    expect(t.onDecline).toHaveBeenCalledWith('c1');
  });

  it('goes back to the registration icon and menu when the call stops ringing', () => {
    const t = withCalls();
    t.calls.set([{ id: 'c1', title: 'Bob' }]);
    t.calls.set([]);
    expect(t.tray.setImage).toHaveBeenCalledTimes(2);
    expect(t.tray.setToolTip).toHaveBeenLastCalledWith('Softphone — 1 of 1 account registered');
    expect(t.lastMenu().some((item) => item.label === 'Answer')).toBe(false);
  });

  it('shows the missed calls in the tooltip and a menu entry that opens the window', () => {
    const t = withCalls();
    t.calls.set([], 2);
    expect(t.tray.setToolTip).toHaveBeenLastCalledWith(
      'Softphone — 1 of 1 account registered · 2 missed calls',
    );
    const entry = t.lastMenu().find((item) => item.label === '2 missed calls — show');
    (entry!.click as () => void)();
    expect(t.options.onShow).toHaveBeenCalled();
  });

  it("bounds a caller's name and keeps its & from becoming a menu mnemonic", () => {
    const t = withCalls();
    t.calls.set([{ id: 'c1', title: `A&B ${'x'.repeat(300)}` }]);
    const label = t.lastMenu()[0]!.label!;
    expect(label.startsWith('Incoming call from A&&B x')).toBe(true);
    expect(label.length).toBeLessThan(70);
    const tooltip = t.tray.setToolTip.mock.calls.at(-1)![0] as string;
    expect(tooltip.length).toBeLessThan(127);
  });

  it('stops following the calls when destroyed', () => {
    const t = withCalls();
    t.statusTray.destroy();
    expect(t.calls.listeners.size).toBe(0);
  });
});
