// Talking to the web host from inside a test's page: contract commands over a second authenticated socket (the
// way the interface itself sends them, with the token the page keeps for reloads), and waiting for the page to
// draw. Runs in the page, where the Node types of the test have no DOM: hence the casts.
import type { Page } from 'playwright-core';

export interface HostCommand {
  readonly name: string;
  readonly args: readonly unknown[];
}

/** Sends `commands` in order over a fresh socket and resolves with their results in the same order. */
export function sendCommands(page: Page, port: number, commands: readonly HostCommand[]): Promise<unknown[]> {
  return page.evaluate(
    ({ port, commands }) =>
      new Promise<unknown[]>((done, fail) => {
        const storage = (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } })
          .sessionStorage;
        const token = storage.getItem('softphone.webHostToken') ?? '';
        const socket = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${encodeURIComponent(token)}`);
        const results = new Map<number, unknown>();
        socket.onerror = () => fail(new Error('socket refused'));
        socket.onopen = () => {
          // Nothing to send: the socket's opening was all that was asked for.
          if (commands.length === 0) {
            socket.close();
            done([]);
            return;
          }
          commands.forEach((command, index) =>
            socket.send(JSON.stringify({ type: 'command', id: index + 1, ...command })),
          );
        };
        socket.onmessage = (message) => {
          if (typeof message.data !== 'string') return; // binary stream frames are not answers
          const frame = JSON.parse(message.data) as { type: string; id?: number; result?: unknown };
          if (frame.type !== 'result' || frame.id === undefined) return;
          results.set(frame.id, frame.result);
          if (results.size === commands.length) {
            socket.close();
            done(commands.map((_, index) => results.get(index + 1)));
          }
        };
      }),
    { port, commands },
  );
}

/** Resolves after the page has drawn two more frames. */
export function nextFrames(page: Page): Promise<void> {
  return page.evaluate(
    () =>
      new Promise<void>((done) => {
        const view = globalThis as unknown as { requestAnimationFrame(callback: () => void): number };
        view.requestAnimationFrame(() => view.requestAnimationFrame(() => done()));
      }),
  );
}

/**
 * Round trips of `count` commands sent one after another on one open socket (`calls.list`, which the host answers
 * from memory), in ms as the page's clock measures them: the time a message takes there and back through the
 * browser's socket and the host's event loop.
 */
export function commandRoundTripsMs(page: Page, port: number, count: number): Promise<number[]> {
  return page.evaluate(
    ({ port, count }) =>
      new Promise<number[]>((done, fail) => {
        const scope = globalThis as unknown as {
          sessionStorage: { getItem(key: string): string | null };
          performance: { now(): number };
        };
        const token = scope.sessionStorage.getItem('softphone.webHostToken') ?? '';
        const socket = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${encodeURIComponent(token)}`);
        const times: number[] = [];
        let sentAt = 0;
        // No named functions in here: a bundler that keeps names (tsx) would wrap them in a helper the page lacks.
        socket.onerror = () => fail(new Error('socket refused'));
        socket.onopen = () => {
          sentAt = scope.performance.now();
          socket.send(JSON.stringify({ type: 'command', id: 1, name: 'calls.list', args: [] }));
        };
        socket.onmessage = (message) => {
          if (typeof message.data !== 'string') return;
          const frame = JSON.parse(message.data) as { type: string; id?: number };
          if (frame.type !== 'result' || frame.id !== times.length + 1) return;
          times.push(scope.performance.now() - sentAt);
          if (times.length < count) {
            sentAt = scope.performance.now();
            socket.send(
              JSON.stringify({ type: 'command', id: times.length + 1, name: 'calls.list', args: [] }),
            );
            return;
          }
          socket.close();
          done(times);
        };
      }),
    { port, count },
  );
}
