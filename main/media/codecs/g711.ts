// ITU-T G.711 companding between 16-bit linear PCM and 8-bit codes: μ-law (PCMU, RFC 3551 payload type 0) and
// A-law (PCMA, payload type 8). Decoding reads a 256-entry table built once from the segment/mantissa definition;
// encoding finds the segment with Math.clz32 instead of a loop, so the per-sample cost has no data-dependent
// branches beyond the sign.
//
// The 16-bit scaling is the usual one: μ-law's 14-bit range and A-law's 13-bit range are left-aligned in an
// Int16, so full-scale codes decode to ±32124 (μ-law) and ±32256 (A-law). Every code decodes to the middle of its
// quantisation interval, which is what makes decode → encode return the code unchanged.

/** μ-law adds this bias before finding the segment, so every segment is a power of two wide (G.711 Table 2a). */
const MU_LAW_BIAS = 0x84;
/** The largest magnitude μ-law can represent once the bias is added still fits in 15 bits. */
const MU_LAW_CLIP = 32_635;
/** A-law inverts the even bits of every code (G.711 §3.1: "even bit inversion"). */
const A_LAW_EVEN_BITS = 0x55;
const SIGN_BIT = 0x80;
/** A-law's 13-bit magnitude after the shift: 12 bits. */
const A_LAW_MAX_MAGNITUDE = 0x0fff;

function muLawCodeToLinear(code: number): number {
  // μ-law transmits every bit inverted; after inverting, a set sign bit means negative.
  const inverted = ~code & 0xff;
  const exponent = (inverted >> 4) & 0x07;
  const mantissa = inverted & 0x0f;
  const magnitude = (((mantissa << 3) + MU_LAW_BIAS) << exponent) - MU_LAW_BIAS;
  return (inverted & SIGN_BIT) !== 0 ? -magnitude : magnitude;
}

function aLawCodeToLinear(code: number): number {
  // After undoing the even-bit inversion a set sign bit means positive (the opposite of μ-law).
  const plain = code ^ A_LAW_EVEN_BITS;
  const segment = (plain >> 4) & 0x07;
  const mantissa = plain & 0x0f;
  // Segment 0 is linear with step 16; segment s ≥ 1 has step 16·2^(s-1) and starts at 256·2^(s-1). The +8 and
  // +264 (256 + 8) put the value at the middle of its interval.
  const magnitude = segment === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 264) << (segment - 1);
  return (plain & SIGN_BIT) !== 0 ? magnitude : -magnitude;
}

function buildTable(decodeOne: (code: number) => number): Int16Array {
  const table = new Int16Array(256);
  for (let code = 0; code < 256; code++) table[code] = decodeOne(code);
  return table;
}

const MU_LAW_TO_LINEAR = buildTable(muLawCodeToLinear);
const A_LAW_TO_LINEAR = buildTable(aLawCodeToLinear);

/** One sample of 16-bit linear PCM to a μ-law code. */
export function linearToMuLaw(sample: number): number {
  const negative = sample < 0;
  // Magnitude of -32768 is 32768; the clip keeps the biased value inside 15 bits either way.
  const biased = Math.min(negative ? -sample : sample, MU_LAW_CLIP) + MU_LAW_BIAS;
  // biased is in [132, 32767]: its top set bit is 7..14, and the segment (exponent) is that minus 7.
  const exponent = 24 - Math.clz32(biased);
  const mantissa = (biased >> (exponent + 3)) & 0x0f;
  return ~((negative ? SIGN_BIT : 0) | (exponent << 4) | mantissa) & 0xff;
}

/** One sample of 16-bit linear PCM to an A-law code. */
export function linearToALaw(sample: number): number {
  const positive = sample >= 0;
  // A-law works on 13 bits. Negative values are one's-complemented rather than negated, so -1..-8 share the
  // smallest negative code and the 13-bit magnitude never overflows 4095.
  // The clip only matters for a single sample outside the Int16 range, which would otherwise spill into the sign.
  const magnitude = Math.min((positive ? sample : ~sample) >> 3, A_LAW_MAX_MAGNITUDE);
  // Segment s ≥ 1 holds [16·2^s, 32·2^s); segment 0 holds [0, 32) with the same step as segment 1. Clamping the
  // shift to at least 1 makes segment 0 share segment 1's mantissa extraction without a branch on the segment.
  const segment = Math.max(0, 27 - Math.clz32(magnitude | 1));
  const mantissa = (magnitude >> Math.max(segment, 1)) & 0x0f;
  return ((positive ? SIGN_BIT : 0) | (segment << 4) | mantissa) ^ A_LAW_EVEN_BITS;
}

/** One μ-law code to 16-bit linear PCM. */
export function muLawToLinear(code: number): number {
  return MU_LAW_TO_LINEAR[code & 0xff] ?? 0;
}

/** One A-law code to 16-bit linear PCM. */
export function aLawToLinear(code: number): number {
  return A_LAW_TO_LINEAR[code & 0xff] ?? 0;
}

/** Encodes a frame of PCM to μ-law; `output` (same length) may be given to avoid an allocation per frame. */
export function encodeMuLaw(samples: Int16Array, output = new Uint8Array(samples.length)): Uint8Array {
  const count = Math.min(samples.length, output.length);
  for (let i = 0; i < count; i++) output[i] = linearToMuLaw(samples[i] ?? 0);
  return output;
}

/** Encodes a frame of PCM to A-law; `output` (same length) may be given to avoid an allocation per frame. */
export function encodeALaw(samples: Int16Array, output = new Uint8Array(samples.length)): Uint8Array {
  const count = Math.min(samples.length, output.length);
  for (let i = 0; i < count; i++) output[i] = linearToALaw(samples[i] ?? 0);
  return output;
}

/** Decodes μ-law codes to PCM; `output` (same length) may be given to avoid an allocation per frame. */
export function decodeMuLaw(codes: Uint8Array, output = new Int16Array(codes.length)): Int16Array {
  const count = Math.min(codes.length, output.length);
  for (let i = 0; i < count; i++) output[i] = MU_LAW_TO_LINEAR[codes[i] ?? 0xff] ?? 0;
  return output;
}

/** Decodes A-law codes to PCM; `output` (same length) may be given to avoid an allocation per frame. */
export function decodeALaw(codes: Uint8Array, output = new Int16Array(codes.length)): Int16Array {
  const count = Math.min(codes.length, output.length);
  for (let i = 0; i < count; i++) output[i] = A_LAW_TO_LINEAR[codes[i] ?? 0xd5] ?? 0;
  return output;
}
