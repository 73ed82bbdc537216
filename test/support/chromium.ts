// How every browser test and benchmark launches Debian's Chromium: headless, and with the background services
// off, since this machine has no network beyond loopback and Chromium would otherwise keep trying to reach out.
import { accessSync, constants } from 'node:fs';

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** Debian's Chromium, or undefined when it is not installed. */
export function chromiumPath(): string | undefined {
  for (const candidate of CANDIDATES) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/**
 * Switches that give the page a microphone playing `wavPath` (Chromium loops it; it resamples any rate), grant the
 * permission without asking, and let audio start without a click.
 */
export function fakeMicrophoneArgs(wavPath: string): string[] {
  return [
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${wavPath}`,
    '--autoplay-policy=no-user-gesture-required',
  ];
}
