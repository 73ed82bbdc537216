// WAV files on disk for the interop tests: fixtures written at test time, recordings read back.
import { readFile, writeFile } from 'node:fs/promises';
import { parseWav, serializeWav, type PcmAudio } from './wav';

export async function readWavFile(path: string): Promise<PcmAudio> {
  return parseWav(new Uint8Array(await readFile(path)));
}

export async function writeWavFile(path: string, audio: PcmAudio): Promise<string> {
  await writeFile(path, serializeWav(audio));
  return path;
}
