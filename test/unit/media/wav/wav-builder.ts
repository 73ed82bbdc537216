// Builds WAV files byte by byte for the reader's tests, including the odd ones real writers produce.

export interface ChunkSpec {
  readonly id: string;
  readonly body: Uint8Array;
  /** What the header claims, when it lies. */
  readonly declaredSize?: number;
}

export interface FormatSpec {
  readonly tag?: number;
  readonly channels?: number;
  readonly sampleRate?: number;
  readonly bitsPerSample?: number;
  readonly blockAlign?: number;
  /** WAVE_FORMAT_EXTENSIBLE wrapping this sub-format tag. */
  readonly extensibleOf?: number;
}

export function fmtChunk(spec: FormatSpec = {}): ChunkSpec {
  const channels = spec.channels ?? 1;
  const bits = spec.bitsPerSample ?? 16;
  const rate = spec.sampleRate ?? 48_000;
  const blockAlign = spec.blockAlign ?? channels * (bits / 8);
  const extensible = spec.extensibleOf !== undefined;
  const body = new Uint8Array(extensible ? 40 : 16);
  const view = new DataView(body.buffer);
  view.setUint16(0, extensible ? 0xfffe : (spec.tag ?? 1), true);
  view.setUint16(2, channels, true);
  view.setUint32(4, rate, true);
  view.setUint32(8, rate * blockAlign, true);
  view.setUint16(12, blockAlign, true);
  view.setUint16(14, bits, true);
  if (extensible) {
    view.setUint16(16, 22, true);
    view.setUint16(18, bits, true);
    view.setUint32(20, channels === 2 ? 3 : 4, true);
    view.setUint16(24, spec.extensibleOf!, true);
    body.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 26);
  }
  return { id: 'fmt ', body };
}

export function int16Data(samples: readonly number[]): ChunkSpec {
  const body = new Uint8Array(samples.length * 2);
  const view = new DataView(body.buffer);
  samples.forEach((sample, index) => view.setInt16(index * 2, sample, true));
  return { id: 'data', body };
}

export function wavFile(chunks: readonly ChunkSpec[], riffSize?: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const chunk of chunks) {
    const header = new Uint8Array(8);
    for (let index = 0; index < 4; index++) header[index] = chunk.id.charCodeAt(index);
    new DataView(header.buffer).setUint32(4, chunk.declaredSize ?? chunk.body.length, true);
    parts.push(header, chunk.body);
    if (chunk.body.length % 2 === 1 && chunk.declaredSize === undefined) parts.push(new Uint8Array(1));
  }
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(12 + length);
  out.set([0x52, 0x49, 0x46, 0x46], 0);
  new DataView(out.buffer).setUint32(4, riffSize ?? 4 + length, true);
  out.set([0x57, 0x41, 0x56, 0x45], 8);
  let offset = 12;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
