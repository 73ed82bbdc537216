// A call's listening quality as a MOS, estimated with the E-model of ITU-T G.107 reduced to what a softphone can
// measure: codec, packet loss and one-way delay. Every other impairment is left at G.107's default values, so a
// perfect G.711 call rates R = 93.2 (MOS 4.41), the model's ceiling for narrowband speech.
//
//   R = R0 − Is − Id − Ie,eff + A          G.107 §7.1 (R0 − Is = 93.2 with the defaults of §7.7, A = 0)
//   Id  ≈ Idd                              talker and listener echo taken as cancelled (Idte, Idle ≈ 0)
//   Idd = 0 for Ta ≤ 100 ms, else 25·{(1 + X⁶)^⅙ − 3·(1 + (X/3)⁶)^⅙ + 2},  X = log₂(Ta / 100)     G.107 §7.4
//   Ie,eff = Ie + (95 − Ie) · Ppl / (Ppl / BurstR + Bpl)                                          G.107 §7.5
//   MOS = 1 + 0.035·R + R·(R − 60)·(100 − R)·7·10⁻⁶ for 0 < R < 100                              G.107 Annex B
//
// Ta, the one-way mouth-to-ear delay, is half the RTCP round trip plus what our jitter buffer holds plus one codec
// frame (packetization). Loss is taken as random (BurstR = 1): the receiver sees no burst statistics yet. Ppl is the
// loss the listener hears (call-quality.ts): frames concealed, i.e. packets missing or late, less those rebuilt
// from Opus's in-band FEC.
//
// One scale for every codec. Opus carries wideband or fullband speech, which G.107.1 (wideband, R up to 129) and
// G.107.2 (fullband) rate above any narrowband call; but a codec enters those models only through a tabulated
// Ie,WB / Ie,FB and Bpl (G.113 Appendices IV and V, derived by P.833.1/P.833.2 listening tests), and we found no
// such planning value for Opus that we could check against its source. Rather than invent one, an Opus call is
// rated on the narrowband scale like G.711: a clean Opus call reads 4.41, which undersells its wider audio band but
// claims nothing unmeasured, and MOS values stay comparable across the codecs a user can pick.
import type { CallCodec } from '../contract/contract';

/** Equipment impairment Ie and packet-loss robustness Bpl of a codec, as G.113 tabulates them. */
export interface CodecImpairment {
  readonly ie: number;
  readonly bpl: number;
}

/**
 * G.711 (both laws): ITU-T G.113 (11/2007) Appendix I, Table I.3, G.711 with the packet-loss concealment of G.711
 * Appendix I: Ie = 0, Bpl = 25.1 — our G.711 decoder conceals lost packets too (repeat and fade).
 *
 * Opus: G.113 tabulates no narrowband planning value for it (see the head of this file for the wideband scales).
 * On the narrowband scale Opus at the rates we send (mono speech, 24 kbit/s and up) is no worse than G.711, hence
 * Ie = 0. Its concealment is taken to be as good as G.711 Appendix I's (Bpl 25.1) and no better; what Opus does
 * better under loss, rebuilding frames from in-band FEC, is measured per call and taken out of Ppl instead of being
 * guessed into Bpl. So the estimate can undersell Opus, never oversell it.
 */
export const CODEC_IMPAIRMENTS: Readonly<Record<CallCodec, CodecImpairment>> = {
  pcmu: { ie: 0, bpl: 25.1 },
  pcma: { ie: 0, bpl: 25.1 },
  opus: { ie: 0, bpl: 25.1 },
};

/** R0 − Is with every G.107 parameter at its default (§7.7, Table 3): the rating of a perfect narrowband call. */
export const DEFAULT_BASIC_RATING = 93.2;

/** One codec frame of packetization delay, ms (FRAME_MS of the media seams). */
const CODEC_FRAME_MS = 20;

export interface EModelInput {
  readonly codec: CallCodec;
  /** Packet loss as the receiver saw it, percent (0–100). */
  readonly lossPercent: number;
  /** The RTCP round trip, ms; null when no report has measured one (the network delay then counts as 0). */
  readonly roundTripMs: number | null;
  /** Audio held in the jitter buffer, ms. */
  readonly jitterBufferDelayMs: number;
}

/** The E-model's rating factor R for a call, 0 to 93.2. */
export function ratingFactor(input: EModelInput): number {
  const { ie, bpl } = CODEC_IMPAIRMENTS[input.codec];
  const delayMs = oneWayDelayMs(input);
  const loss = effectiveEquipmentImpairment(ie, bpl, input.lossPercent);
  return Math.max(0, DEFAULT_BASIC_RATING - delayImpairment(delayMs) - loss);
}

/** The MOS estimate for a call, 1 to 4.41, rounded to two decimals. */
export function estimateMos(input: EModelInput): number {
  return Math.round(mosFromRating(ratingFactor(input)) * 100) / 100;
}

/** Ta: half the round trip, the jitter buffer's delay and one frame. Negative or non-finite parts count as 0. */
export function oneWayDelayMs(input: Pick<EModelInput, 'roundTripMs' | 'jitterBufferDelayMs'>): number {
  const network = input.roundTripMs === null ? 0 : nonNegative(input.roundTripMs) / 2;
  return network + nonNegative(input.jitterBufferDelayMs) + CODEC_FRAME_MS;
}

/** Idd of G.107 §7.4 for a one-way delay of `ta` ms. */
export function delayImpairment(ta: number): number {
  if (!(ta > 100)) return 0;
  const x = Math.log2(ta / 100);
  return 25 * ((1 + x ** 6) ** (1 / 6) - 3 * (1 + (x / 3) ** 6) ** (1 / 6) + 2);
}

/** Ie,eff of G.107 §7.5 for random loss (BurstR = 1), `lossPercent` clamped to 0–100. */
export function effectiveEquipmentImpairment(ie: number, bpl: number, lossPercent: number): number {
  const ppl = Math.min(100, nonNegative(lossPercent));
  return ie + ((95 - ie) * ppl) / (ppl + bpl);
}

/** G.107 Annex B: the MOS (conversational quality, estimated) for a rating R. */
export function mosFromRating(r: number): number {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  // The cubic dips a hair below 1 for R under about 6.5; the scale has no score below 1.
  return Math.max(1, 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6);
}

function nonNegative(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}
