// The far ends of the call benchmarks: SIPp answering at once (bench/sipp/uas-answer-now.xml) and baresip, both
// through the interop tests' harnesses, plus the microphone file baresip plays.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodecName } from '../../main/sdp/codecs';
import { FIRST_DYNAMIC_PAYLOAD_TYPE } from '../../main/sdp/codecs';
import { startBaresip, type BaresipHandle } from '../../test/interop/support/baresip';
import { startSipp, type SippHandle } from '../../test/interop/support/sipp';
import { writeWavFile } from '../../test/support/audio/wav-files';
import { speechSignal } from './speech-signal';

const SCENARIO = join(import.meta.dirname, '..', 'sipp', 'uas-answer-now.xml');

/**
 * The answer's payload type and rtpmap for a caller that offers `codec` alone: PCMU is static (0); Opus is the
 * first dynamic number, which is what both our offer and baresip's give it when it is their only codec.
 */
export function answerFormat(codec: Exclude<CodecName, 'pcma'>): { pt: string; rtpmap: string } {
  if (codec === 'pcmu') return { pt: '0', rtpmap: '0 PCMU/8000' };
  return { pt: String(FIRST_DYNAMIC_PAYLOAD_TYPE), rtpmap: `${FIRST_DYNAMIC_PAYLOAD_TYPE} opus/48000/2` };
}

export interface SippAnswererOptions {
  readonly codec: Exclude<CodecName, 'pcma'>;
  /** Calls SIPp takes before it exits by itself. */
  readonly calls: number;
  /** `-rtp_echo`: reflect each RTP packet to its sender (a zero-delay far end for the media benchmarks). */
  readonly echo: boolean;
}

export function startSippAnswerer(options: SippAnswererOptions): Promise<SippHandle> {
  const format = answerFormat(options.codec);
  return startSipp({
    scenario: SCENARIO,
    calls: options.calls,
    timeoutSec: 3_600,
    keys: { pt: format.pt, rtpmap: format.rtpmap },
    extraArgs: options.echo ? ['-rtp_echo'] : [],
  });
}

/** `sip:bench@127.0.0.1:PORT`: SIPp's address with a user part. */
export function sippTarget(sipp: SippHandle): string {
  return `sip:bench@127.0.0.1:${sipp.localPort}`;
}

/** A speech-like WAV of `seconds` (48 kHz mono, what baresip's aufile reads here) in a directory of its own. */
export async function writeMicrophoneFile(
  seconds: number,
): Promise<{ readonly path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'softphone-bench-'));
  const path = join(dir, 'speech.wav');
  await writeWavFile(path, { sampleRate: 48_000, channels: 1, samples: speechSignal(seconds) });
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface BaresipPhoneOptions {
  readonly codecs: readonly Exclude<CodecName, 'pcma'>[];
  readonly answerMode: 'auto' | 'manual';
  /** The microphone file (writeMicrophoneFile); keep it longer than any call. */
  readonly source: string;
}

/**
 * baresip without a registration. The harness loads sndfile, which records both directions of every call to WAV;
 * our engine records nothing in these runs, so it is unloaded (`rmmod`) to compare the same work. Resolves whether
 * it could be unloaded.
 */
export async function startBaresipPhone(
  options: BaresipPhoneOptions,
): Promise<{ readonly phone: BaresipHandle; readonly recording: boolean }> {
  const phone = await startBaresip({
    account: {
      aor: 'sip:bench@127.0.0.1',
      register: false,
      answerMode: options.answerMode,
      codecs: options.codecs,
    },
    source: options.source,
  });
  let recording = true;
  try {
    await phone.command('rmmod', 'sndfile');
    recording = false;
  } catch {
    // An older build without rmmod: the figures say that baresip recorded meanwhile.
  }
  return { phone, recording };
}
