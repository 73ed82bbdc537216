// The WAV modules on real files: reading a whole file with a size limit, and a positioned-write sink for WavWriter.
// Both answer Results: a missing file, a directory or a full disk is a reason for the CLI to print, not a throw.
import { open, readFile, stat } from 'node:fs/promises';
import { err, ok, type Result } from '../../contract/result';
import { resampleTo48k } from './resample';
import { parseWav, type WavAudio, type WavError } from './wav-reader';
import type { WavSink } from './wav-writer';

/** Bytes read at most: 256 MiB, 23 minutes of 48 kHz stereo 32-bit float. */
export const MAX_WAV_FILE_BYTES = 256 * 1024 * 1024;

export type WavFileError = WavError | { readonly reason: 'unreadable'; readonly message: string };

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function readWavFile(
  path: string,
  maxBytes = MAX_WAV_FILE_BYTES,
): Promise<Result<WavAudio, WavFileError>> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return err({ reason: 'unreadable', message: `${path} is not a file` });
    if (info.size > maxBytes) {
      return err({
        reason: 'too-large',
        message: `${path} is ${info.size} bytes; at most ${maxBytes} are read`,
      });
    }
    const bytes = await readFile(path);
    return parseWav(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    return err({ reason: 'unreadable', message: reasonOf(error) });
  }
}

/** A new file (an existing one is replaced) as a WavSink. */
export async function createWavFileSink(path: string): Promise<Result<WavSink, string>> {
  try {
    const handle = await open(path, 'w');
    return ok({
      async write(bytes, position) {
        await handle.write(bytes, 0, bytes.length, position);
      },
      async close() {
        await handle.close();
      },
    });
  } catch (error) {
    return err(reasonOf(error));
  }
}

/** A file ready for WavPlayer: mono, 16-bit, resampled to the engine's 48 kHz. */
export async function readWavFileForCall(path: string): Promise<Result<Int16Array, WavFileError>> {
  const audio = await readWavFile(path);
  if (!audio.ok) return audio;
  return ok(resampleTo48k(audio.value.samples, audio.value.format.sampleRate));
}
