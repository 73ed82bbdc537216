// Call setup time, dial → ACK, against a SIPp answerer on loopback that sends 200 OK at once
// (bench/sipp/uas-answer-now.xml), for our engine (in-process: the real user agent, call usage and media worker,
// see bench/calls/bench-engine.ts) and for baresip 1.0 dialling the same scenario through ctrl_tcp.
// `BENCH_SETUP_CALLS` sets the calls per caller (default 30, one more as warm-up).
// `npx tsx bench/call-setup.ts` prints the table; it also exports `benchmark` for bench/run.ts.
import { arch, cpus, platform } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { Benchmark } from './benchmark';
import { BenchEngine, wallClockMs } from './calls/bench-engine';
import { startBaresipPhone, startSippAnswerer, sippTarget, writeMicrophoneFile } from './calls/peers';
import { callArrivals, type CallArrival } from './calls/sipp-call-times';
import { spreadOf, type Spread } from './calls/spread';
import { parseMessageLog, type SippResult } from '../test/interop/support/sipp';

const CALLS = Number(process.env.BENCH_SETUP_CALLS ?? 30);
/** Both callers offer the same codecs; SIPp answers PCMU. */
const CODECS = ['opus', 'pcmu'] as const;
/** Between calls, so one call's BYE exchange does not overlap the next call's setup. */
const PAUSE_MS = 50;

interface CallerTimes {
  /** Our engine only: performance.now() from dial() to the transport sending the ACK, and the INVITE. */
  readonly ackSentMs: number[];
  readonly inviteSentMs: number[];
  /**
   * Our engine only: from the transport handing up the 200 OK to it being given the ACK, and to the socket's send()
   * of the ACK returning (the datagram is with the kernel then).
   */
  readonly okToAckMs: number[];
  readonly okToAckOutMs: number[];
  /** Wall clock: dial → SIPp logging the ACK as received. */
  readonly dialToAckAtFarEndMs: number[];
  /** SIPp's own clock: INVITE received → ACK received. */
  readonly inviteToAckAtFarEndMs: number[];
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The far end's times of each dialled call, in dialling order; the first (warm-up) call is dropped. */
function farEndTimes(
  result: SippResult,
  dialedAtWallMs: readonly number[],
): Pick<CallerTimes, 'dialToAckAtFarEndMs' | 'inviteToAckAtFarEndMs'> {
  const arrivals: CallArrival[] = callArrivals(parseMessageLog(result.messageLog));
  if (arrivals.length !== dialedAtWallMs.length) {
    throw new Error(`SIPp saw ${arrivals.length} calls, ${dialedAtWallMs.length} were dialled`);
  }
  const dialToAck: number[] = [];
  const inviteToAck: number[] = [];
  arrivals.forEach((arrival, index) => {
    if (arrival.ackAt === undefined) throw new Error(`SIPp got no ACK for call ${arrival.callId}`);
    if (index === 0) return;
    dialToAck.push(arrival.ackAt - dialedAtWallMs[index]!);
    inviteToAck.push(arrival.ackAt - arrival.inviteAt);
  });
  return { dialToAckAtFarEndMs: dialToAck, inviteToAckAtFarEndMs: inviteToAck };
}

async function measureOurs(): Promise<CallerTimes> {
  const sipp = await startSippAnswerer({ codec: 'pcmu', calls: CALLS + 1, echo: false });
  const engine = await BenchEngine.start({ codecs: CODECS, traceTimes: true });
  const dialedAtWallMs: number[] = [];
  const ackSentMs: number[] = [];
  const inviteSentMs: number[] = [];
  const okToAckMs: number[] = [];
  const okToAckOutMs: number[] = [];
  try {
    for (let index = 0; index <= CALLS; index++) {
      const call = await engine.dial(sippTarget(sipp));
      dialedAtWallMs.push(call.dialedAtWallMs);
      const { ackSentAt, ackOutAt, inviteSentAt, okReceivedAt } = call;
      if (
        ackSentAt === undefined ||
        ackOutAt === undefined ||
        inviteSentAt === undefined ||
        okReceivedAt === undefined
      ) {
        throw new Error('the INVITE, its 200 or the ACK went untraced');
      }
      if (index > 0) {
        ackSentMs.push(ackOutAt - call.dialedAt);
        inviteSentMs.push(inviteSentAt - call.dialedAt);
        okToAckMs.push(ackSentAt - okReceivedAt);
        okToAckOutMs.push(ackOutAt - okReceivedAt);
      }
      await call.hangup();
      await pause(PAUSE_MS);
    }
  } finally {
    await engine.close();
  }
  const result = await sipp.stop();
  return { ackSentMs, inviteSentMs, okToAckMs, okToAckOutMs, ...farEndTimes(result, dialedAtWallMs) };
}

async function measureBaresip(): Promise<CallerTimes> {
  const microphone = await writeMicrophoneFile(10);
  const sipp = await startSippAnswerer({ codec: 'pcmu', calls: CALLS + 1, echo: false });
  const { phone } = await startBaresipPhone({
    codecs: CODECS,
    answerMode: 'manual',
    source: microphone.path,
  });
  const dialedAtWallMs: number[] = [];
  try {
    for (let index = 0; index <= CALLS; index++) {
      dialedAtWallMs.push(wallClockMs());
      await phone.dial(sippTarget(sipp));
      await phone.waitForEvent('CALL_ESTABLISHED');
      await phone.hangup();
      await phone.waitForEvent('CALL_CLOSED');
      await pause(PAUSE_MS);
    }
  } finally {
    await phone.stop();
    await microphone.remove();
  }
  const result = await sipp.stop();
  return {
    ackSentMs: [],
    inviteSentMs: [],
    okToAckMs: [],
    okToAckOutMs: [],
    ...farEndTimes(result, dialedAtWallMs),
  };
}

function cell(values: readonly number[]): string {
  if (values.length === 0) return '–';
  const spread: Spread = spreadOf(values);
  return `${spread.median.toFixed(2)} (${spread.p10.toFixed(2)}–${spread.p90.toFixed(2)}, max ${spread.max.toFixed(2)})`;
}

export async function measureCallSetup(): Promise<string> {
  process.stderr.write(`  our engine, ${CALLS} calls\n`);
  const ours = await measureOurs();
  process.stderr.write(`  baresip, ${CALLS} calls\n`);
  const theirs = await measureBaresip();
  const oursMedian = spreadOf(ours.dialToAckAtFarEndMs).median;
  const theirsMedian = spreadOf(theirs.dialToAckAtFarEndMs).median;
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with Node ${process.version} on ${cpus()[0]?.model.trim() ?? 'unknown CPU'} (${cpus().length} cores, ${platform()} ${arch()}); ${CALLS} calls per caller after one warm-up call, one at a time.`,
    '',
    'Milliseconds, median (p10–p90, max):',
    '',
    '| Caller | dial → INVITE sent | 200 in → ACK given to the transport | 200 in → ACK leaves | dial → ACK leaves (caller’s clock) | dial → ACK at SIPp (wall clock) | INVITE → ACK at SIPp |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| our engine (in-process) | ${cell(ours.inviteSentMs)} | ${cell(ours.okToAckMs)} | ${cell(ours.okToAckOutMs)} | ${cell(ours.ackSentMs)} | ${cell(ours.dialToAckAtFarEndMs)} | ${cell(ours.inviteToAckAtFarEndMs)} |`,
    `| baresip 1.0 (ctrl_tcp \`dial\`) | – | – | – | – | ${cell(theirs.dialToAckAtFarEndMs)} | ${cell(theirs.inviteToAckAtFarEndMs)} |`,
    '',
    `Goal: at or below baresip. Median dial → ACK at SIPp: ours ${oursMedian.toFixed(2)} ms, baresip ${theirsMedian.toFixed(2)} ms (${oursMedian <= theirsMedian ? 'met' : 'not met'}).`,
    '',
    'Method: SIPp 3.6.1 on 127.0.0.1 answers every INVITE with 200 OK and PCMU SDP at once (`bench/sipp/uas-answer-now.xml`), takes the ACK, and the caller hangs up straight away; the next call starts 50 ms after the previous one ended. Both callers offer Opus and PCMU. Our engine runs in the benchmark’s own process (the user agent on loopback UDP, the call usage, the call’s RTP/RTCP ports taken from the media worker’s pool of pairs bound ahead (the warm-up call fills it) and its stream started on the 200: what `softphone call` runs, without Node’s and tsx’s start-up), so its steps are read on its own monotonic clock from the SIP trace hook: the INVITE and the ACK given to the transport, the 200 handed up by it. “ACK leaves” is when the UDP socket’s send() of the ACK returned: our socket adapter hands a datagram to the kernel inside send(). baresip cannot be timed from inside, so both callers are also timed the same way from outside: from the moment the benchmark issues the dial (the `dial()` call, or writing baresip’s ctrl_tcp `dial` command) to the ACK’s arrival in SIPp’s `-trace_msg` log (wall clock, microseconds), and from the INVITE’s arrival to the ACK’s on SIPp’s clock alone. baresip’s figure includes reading its ctrl_tcp command; both include SIPp’s own turn-around.',
  ];
  return lines.join('\n');
}

export const benchmark: Benchmark = { section: 'Call setup time (dial → ACK)', run: measureCallSetup };

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await measureCallSetup());
}
