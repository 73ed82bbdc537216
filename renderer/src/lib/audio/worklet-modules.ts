// Where the worklet modules are. Vite bundles each `?worker&url` import on its own (the worklet runs in a scope
// with no module loader of ours) and gives its URL: a file under assets/ in a build, served from the page's own
// origin, so `script-src 'self'` (which worklets fall under) lets it load on the web host and in the app protocol.
// Kept apart so tests that build no bundle can hand in URLs of their own.
import captureUrl from './capture.worklet.ts?worker&url';
import playbackUrl from './playback.worklet.ts?worker&url';

export interface WorkletModules {
  readonly capture: string;
  readonly playback: string;
}

export const WORKLET_MODULES: WorkletModules = { capture: captureUrl, playback: playbackUrl };
