// Opening the microphone for a call, with the person's choices: the device (falling back to the default, with a
// notice, when it is gone) and Chromium's echo canceller, noise suppression and gain control. What can go wrong is
// an outcome, not an exception: a denied permission still lets the call go on, receive-only.

/** The capture choices, as stored in the settings ('' = the system's default device). */
export interface MicrophoneChoice {
  readonly deviceId: string;
  readonly echoCancellation: boolean;
  readonly noiseSuppression: boolean;
  readonly autoGainControl: boolean;
}

export type MicrophoneOutcome =
  /** `fellBack`: the chosen device was not there and the default was opened instead. */
  | { readonly kind: 'open'; readonly stream: MediaStream; readonly fellBack: boolean }
  /** The person (or a policy) refused the microphone to this page or app. */
  | { readonly kind: 'denied' }
  /** There is no microphone at all. */
  | { readonly kind: 'missing' }
  /** Anything else (the device is busy, the page has no media support…), with the browser's words. */
  | { readonly kind: 'failed'; readonly message: string };

export type GetUserMedia = (constraints: MediaStreamConstraints) => Promise<MediaStream>;

export function microphoneConstraints(choice: MicrophoneChoice, withDevice: boolean): MediaStreamConstraints {
  return {
    audio: {
      ...(withDevice && choice.deviceId !== '' ? { deviceId: { exact: choice.deviceId } } : {}),
      echoCancellation: choice.echoCancellation,
      noiseSuppression: choice.noiseSuppression,
      autoGainControl: choice.autoGainControl,
      channelCount: { ideal: 1 },
      sampleRate: { ideal: 48_000 },
    },
    video: false,
  };
}

function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
}

function errorMessage(error: unknown): string {
  return error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)
    ? String((error as { message: unknown }).message)
    : String(error);
}

export async function openMicrophone(
  getUserMedia: GetUserMedia | null,
  choice: MicrophoneChoice,
): Promise<MicrophoneOutcome> {
  if (!getUserMedia) return { kind: 'failed', message: 'This page has no access to media devices.' };
  const attempt = async (withDevice: boolean): Promise<MicrophoneOutcome | 'gone'> => {
    try {
      return {
        kind: 'open',
        stream: await getUserMedia(microphoneConstraints(choice, withDevice)),
        fellBack: false,
      };
    } catch (error) {
      const name = errorName(error);
      if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError')
        return { kind: 'denied' };
      const gone = name === 'OverconstrainedError' || name === 'NotFoundError';
      if (gone && withDevice && choice.deviceId !== '') return 'gone';
      if (name === 'NotFoundError') return { kind: 'missing' };
      return { kind: 'failed', message: errorMessage(error) };
    }
  };
  const first = await attempt(true);
  if (first !== 'gone') return first;
  const fallback = await attempt(false);
  if (fallback === 'gone') return { kind: 'missing' };
  return fallback.kind === 'open' ? { ...fallback, fellBack: true } : fallback;
}
