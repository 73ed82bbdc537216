import { describe, expect, it } from 'vitest';
import { chromiumProcesses, parentOf, switchOf } from '../../../bench/window/chromium-processes';

describe('reading Chromium processes from /proc', () => {
  it("takes a switch's value from a NUL-separated command line", () => {
    const cmdline = [
      '/usr/lib/chromium/chromium',
      '--type=utility',
      '--utility-sub-type=audio.mojom.AudioService',
      '--lang=en-US',
      '',
    ].join('\0');
    expect(switchOf(cmdline, 'type')).toBe('utility');
    expect(switchOf(cmdline, 'utility-sub-type')).toBe('audio.mojom.AudioService');
    expect(switchOf(cmdline, 'no-such')).toBeUndefined();
    // A Chromium child's title: its arguments rewritten into one space-separated string.
    expect(switchOf('/usr/lib/chromium/chromium --type=renderer --lang=en-US\0\0', 'type')).toBe('renderer');
  });

  it('reads the parent pid after the command name, whatever the name holds', () => {
    expect(parentOf('812 (chromium) S 700 812 700 0 -1 4194560')).toBe(700);
    expect(parentOf('9 (Web (Content) 2) R 8 9 9 0 -1 0')).toBe(8);
  });

  it('finds this process under its parent by program, and nothing under a pid that does not exist', () => {
    const mine = chromiumProcesses(process.ppid, 'node').find((entry) => entry.pid === process.pid);
    expect(mine).toMatchObject({ pid: process.pid, type: 'browser' });
    expect(mine!.program).toContain('node');
    // This test runs under node, not under a browser.
    expect(chromiumProcesses(process.pid)).toEqual([]);
    expect(chromiumProcesses(2 ** 30, 'node')).toEqual([]);
  });
});
