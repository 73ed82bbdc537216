// Every sentence the window says about audio devices and the microphone, in one place (as call-text.ts for calls).
import type { Bridge } from '../bridge';

export type AudioRole = 'microphone' | 'speaker' | 'ringer';

const ROLE_NAME: Record<AudioRole, string> = {
  microphone: 'microphone',
  speaker: 'speaker',
  ringer: 'ringer',
};
const ROLE_DEFAULT: Record<AudioRole, string> = {
  microphone: 'the default microphone',
  speaker: 'the default speaker',
  ringer: 'the default speaker',
};

/** A device with no label yet (the browser hides labels until the microphone is allowed once). */
export function unnamedDevice(role: 'microphone' | 'speaker', index: number): string {
  return `${role === 'microphone' ? 'Microphone' : 'Speaker'} ${index + 1}`;
}

export function defaultDeviceLabel(role: AudioRole): string {
  return role === 'microphone' ? 'System default microphone' : 'System default speaker';
}

/** The chosen device went away (unplugged) and the default takes its place until it is back. */
export function fallbackNotice(role: AudioRole, label: string | null): string {
  const which = label ? `The ${ROLE_NAME[role]} “${label}”` : `The chosen ${ROLE_NAME[role]}`;
  return `${which} is not connected; ${ROLE_DEFAULT[role]} is used until it is back.`;
}

/** Why the other side cannot hear us, and what to do about it. */
export function microphoneDeniedText(kind: Bridge['kind']): string {
  return kind === 'electron'
    ? 'The app may not use the microphone. Allow Softphone in your system’s privacy settings for the microphone ' +
        '(Windows: Settings › Privacy › Microphone; macOS: System Settings › Privacy & Security › Microphone), ' +
        'then start the call again. Calls still connect, but the other side does not hear you.'
    : 'This page may not use the microphone. Allow it in the site settings (the icon at the left of the address ' +
        'bar › Microphone › Allow), then reload the page. Calls still connect, but the other side does not hear you.';
}

export const MICROPHONE_MISSING_TEXT =
  'No microphone was found. Connect one and start the call again; until then the other side does not hear you.';

export function microphoneFailedText(message: string): string {
  return `The microphone could not be opened (${message}). Calls still connect, but the other side does not hear you.`;
}

export const OUTPUT_CHOICE_UNSUPPORTED_TEXT =
  'This browser cannot send sound to a chosen device (it lacks AudioContext.setSinkId); the system’s default ' +
  'speaker is used. The desktop app and Chromium 110 or later can.';

export function speakerRefusedText(label: string | null): string {
  return `Sound could not be sent to ${label ? `“${label}”` : 'the chosen speaker'}; the default speaker is used.`;
}

/** What the call screen says about this call's audio, or null when all is well. */
export function callAudioNoticeText(
  audio: {
    readonly problem:
      | { readonly kind: 'denied' | 'missing' }
      | { readonly kind: 'failed' | 'session'; readonly message: string }
      | null;
    readonly microphoneFellBack: boolean;
    readonly speakerRefused: boolean;
  },
  kind: Bridge['kind'],
): string | null {
  const problem = audio.problem;
  if (problem?.kind === 'denied') return microphoneDeniedText(kind);
  if (problem?.kind === 'missing') return MICROPHONE_MISSING_TEXT;
  if (problem?.kind === 'failed') return microphoneFailedText(problem.message);
  if (problem?.kind === 'session') return `The call’s sound could not start (${problem.message}).`;
  if (audio.microphoneFellBack)
    return 'The chosen microphone is not connected; the default microphone is used.';
  if (audio.speakerRefused) return speakerRefusedText(null);
  return null;
}
