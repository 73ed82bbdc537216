// SIP parse throughput, ours against the npm parsers `sip` and `drachtio-sip`, interleaved in one process.
import { arch, cpus, loadavg, platform } from 'node:os';
import type { Benchmark } from './benchmark';
import { loadCorpus } from './load-corpus';
import { bareSplitPeer } from './peers/bare-split';
import { drachtioPeer } from './peers/drachtio';
import { loadOurs } from './peers/ours';
import { emptyUaFields, type ParsePeer, type UaFields } from './peers/peer';
import { sipJsPeer } from './peers/sip-js';

const warmupMs = 500;
const roundMs = 500;
const rounds = 10;

const corpusContents =
  'CRLF wire images as a softphone registered through Kamailio 5.6 sends and receives them: REGISTER with Digest ' +
  'Authorization, 401 with WWW-Authenticate, INVITE with SDP (Opus, PCMU, PCMA, telephone-event; three Via, two ' +
  'Record-Route, Contact with params), 180 Ringing, 200 OK with SDP, ACK, BYE, SUBSCRIBE for presence, NOTIFY ' +
  'with a PIDF body, MESSAGE with UTF-8 text.';

type Mode = 'lazy' | 'full';

interface Entry {
  readonly peer: ParsePeer;
  readonly mode: Mode;
  readonly step: (data: Buffer) => void;
  /** Messages per second, one value per round. */
  readonly rates: number[];
}

// Results land here so the optimiser cannot drop a parse whose result nobody looks at.
let kept: unknown;
const sink: UaFields = emptyUaFields();
let rejections = 0;

function stepFor(peer: ParsePeer, mode: Mode): (data: Buffer) => void {
  if (mode === 'lazy') {
    return (data) => {
      kept = peer.parse(data);
      if (kept === undefined) rejections++;
    };
  }
  const parseAndRead = peer.parseAndRead!;
  return (data) => {
    if (!parseAndRead(data, sink)) rejections++;
  };
}

/** Runs whole passes over the corpus until `ms` have passed; returns messages per second. */
function measure(step: (data: Buffer) => void, messages: readonly Buffer[], ms: number): number {
  let passes = 0;
  let elapsed: number;
  const start = performance.now();
  do {
    for (let i = 0; i < messages.length; i++) step(messages[i]!);
    passes++;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return (passes * messages.length * 1000) / elapsed;
}

/** A value as text for comparing parsers; null when it is an object without its own text form. */
function comparable(value: unknown): string | null {
  if (value === undefined || value === null) return '(absent)';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (typeof value === 'object' && value.toString !== Object.prototype.toString) return String(value);
  return null;
}

interface Verification {
  /** Problems that make timing meaningless or impossible (the parser throws). */
  readonly fatal: string[];
  /** Messages the parser rejects; it is still timed, with a note. */
  readonly rejected: string[];
  /** The UA fields it read per message (undefined when it has no full mode or rejected the message). */
  readonly fields: (UaFields | undefined)[];
}

function verify(peer: ParsePeer, names: readonly string[], messages: readonly Buffer[]): Verification {
  const result: Verification = { fatal: [], rejected: [], fields: [] };
  messages.forEach((data, i) => {
    const name = names[i]!;
    try {
      if (peer.parse(data) === undefined) result.rejected.push(name);
      const out = emptyUaFields();
      const read = peer.parseAndRead?.(data, out) ?? false;
      result.fields.push(read ? out : undefined);
    } catch (error) {
      result.fatal.push(`${name}: throws ${String(error)}`);
      result.fields.push(undefined);
    }
  });
  return result;
}

/** Lists the fields on which the parsers that read them disagree, so a row that skips work shows up. */
function disagreements(
  peers: readonly ParsePeer[],
  checks: readonly Verification[],
  names: readonly string[],
): { found: string[]; uncompared: number } {
  const found: string[] = [];
  let uncompared = 0;
  const keys = Object.keys(emptyUaFields()) as (keyof UaFields)[];
  names.forEach((name, i) => {
    for (const key of keys) {
      const seen: string[] = [];
      peers.forEach((peer, p) => {
        const fields = checks[p]!.fields[i];
        if (fields === undefined) return;
        const value = fields[key];
        const text =
          key === 'contactUri' && peer.uriText !== undefined && value !== undefined
            ? peer.uriText(value)
            : comparable(value);
        if (text === null) uncompared++;
        else seen.push(`${peer.label}: ${JSON.stringify(text)}`);
      });
      const values = new Set(seen.map((entry) => entry.slice(entry.indexOf(': ') + 2)));
      if (values.size > 1) found.push(`${name} ${key}: ${seen.join(', ')}`);
    }
  });
  return { found, uncompared };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

function describeMode(entry: Entry): string {
  if (entry.peer.parseAndRead === undefined) return 'split only';
  return entry.mode === 'lazy' ? 'lazy: parse only' : 'full: parse + read UA fields';
}

function table(entries: readonly Entry[], meanBytes: number, reference: ReadonlyMap<Mode, number>): string {
  const lines = [
    '| Parser | Mode | msg/s (median) | MB/s (median) | msg/s over rounds (min–max) | vs `sip`, same mode |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const entry of entries) {
    const rate = median(entry.rates);
    const base = reference.get(entry.mode);
    const ratio = base === undefined ? '—' : `${(rate / base).toFixed(2)}×`;
    lines.push(
      `| ${entry.peer.label} | ${describeMode(entry)} | ${integer.format(rate)} | ` +
        `${oneDecimal.format((rate * meanBytes) / 1e6)} | ` +
        `${integer.format(Math.min(...entry.rates))}–${integer.format(Math.max(...entry.rates))} | ${ratio} |`,
    );
  }
  return lines.join('\n');
}

async function run(): Promise<string> {
  const loadAtStart = loadavg()[0] ?? 0;
  const corpus = loadCorpus();
  const names = corpus.map((message) => message.name);
  const messages = corpus.map((message) => message.bytes);
  const totalBytes = messages.reduce((sum, data) => sum + data.length, 0);
  const meanBytes = totalBytes / messages.length;

  const notes: string[] = [];
  const peers: ParsePeer[] = [bareSplitPeer, sipJsPeer, drachtioPeer];
  const ours = await loadOurs();
  if (ours.ok) {
    peers.push(ours.peer);
  } else {
    console.error(`ours: not measured (${ours.reason}); measuring the peers only`);
    notes.push(`ours: not measured, ${ours.reason}.`);
  }

  const checks = peers.map((peer) => verify(peer, names, messages));
  const timed: ParsePeer[] = [];
  const timedChecks: Verification[] = [];
  peers.forEach((peer, i) => {
    const check = checks[i]!;
    if (check.fatal.length > 0) {
      const problem = `${peer.label}: not timed, ${check.fatal.join('; ')}`;
      console.error(problem);
      notes.push(`${problem}.`);
      return;
    }
    if (check.rejected.length > 0) {
      const problem = `${peer.label} rejects ${check.rejected.join(', ')}; its rows include those fast rejections`;
      console.error(problem);
      notes.push(`${problem}.`);
    }
    timed.push(peer);
    timedChecks.push(check);
    notes.push(...peer.notes);
  });
  const { found, uncompared } = disagreements(timed, timedChecks, names);
  for (const line of found) console.error(`disagreement: ${line}`);
  if (found.length > 0) {
    notes.push(`The parsers disagree on ${found.length} read value(s): ${found.slice(0, 8).join('; ')}.`);
  } else {
    notes.push(
      'Before timing, every full-mode row was checked to read the same branch, tags, Call-ID, CSeq and Contact URI from every message.',
    );
  }
  if (uncompared > 0)
    notes.push(`${uncompared} read value(s) were objects without a text form and were not compared.`);

  const entries: Entry[] = [];
  for (const mode of ['lazy', 'full'] as const) {
    for (const peer of timed) {
      if (mode === 'full' && peer.parseAndRead === undefined) continue;
      entries.push({ peer, mode, step: stepFor(peer, mode), rates: [] });
    }
  }

  console.error(`parse throughput: ${entries.length} rows, ${messages.length} messages, ${totalBytes} bytes`);
  for (const entry of entries) measure(entry.step, messages, warmupMs);
  for (let round = 0; round < rounds; round++) {
    // Rotating the order spreads the effect of GC debt and CPU frequency over all rows.
    for (let k = 0; k < entries.length; k++) {
      const entry = entries[(k + round) % entries.length]!;
      entry.rates.push(measure(entry.step, messages, roundMs));
    }
    console.error(`  round ${round + 1}/${rounds} done`);
  }
  if (rejections > 0 && checks.every((check) => check.rejected.length === 0)) {
    notes.push(`${rejections} parse(s) failed during timing although none failed in the check.`);
  }

  const reference = new Map<Mode, number>();
  for (const entry of entries) {
    if (entry.peer === sipJsPeer) reference.set(entry.mode, median(entry.rates));
  }
  const cpu = cpus();
  const sizes = corpus.map((message) => `${message.name.replace(/\.sip$/, '')} ${message.bytes.length} B`);

  return [
    `Measured ${new Date().toISOString().slice(0, 10)} with Node ${process.version} (V8 ${process.versions.v8}) ` +
      `on ${cpu[0]?.model.trim() ?? 'an unknown CPU'} (${platform()} ${arch()}, ${cpu.length} logical CPUs; ` +
      `one thread parses one message after another; 1-minute load average at start ${loadAtStart.toFixed(2)}).`,
    '',
    `Corpus: \`bench/corpus/*.sip\`, ${messages.length} messages, ${integer.format(totalBytes)} bytes ` +
      `(mean ${integer.format(meanBytes)} B). ${corpusContents} Sizes: ${sizes.join(', ')}.`,
    '',
    `Method: every row gets ${warmupMs} ms of warm-up, then ${rounds} rounds of ${roundMs} ms; within a round the ` +
      'rows run one after another in an order rotated each round. A round loops over the whole corpus (each message ' +
      'weighs the same) and reads `performance.now()` after each pass. Input is one Buffer per message, as a UDP ' +
      'socket delivers it. MB = 10⁶ bytes of SIP wire data. Modes: *lazy* parses and reads nothing; *full* also ' +
      'reads what a UA needs from every message: top Via branch, From tag, To tag, Call-ID, CSeq number and ' +
      'method, and the first Contact URI when present.',
    '',
    table(entries, meanBytes, reference),
    '',
    'Notes:',
    '',
    ...notes.map((note) => `- ${note}`),
  ].join('\n');
}

export const benchmark: Benchmark = { section: 'SIP parse throughput', run };
