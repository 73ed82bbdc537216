// The RTCP transmission interval of RFC 3550 §6.2 and §6.3.1, computed as Appendix A.7 does. Pure: the random
// draw is an argument, so the distribution is tested over many seeded draws without a clock.
//
//   rtcp_bw   = 5 % of the session bandwidth (§6.2), in octets per second
//   senders ≤ 25 % of members: senders share 25 % of rtcp_bw, receivers the other 75 % (§6.2)
//   T_d       = max(T_min, avg_rtcp_size × n / rtcp_bw), T_min = 5 s, halved for the first report (§6.2)
//   T         = T_d × uniform(0.5, 1.5) / (e − 3/2)   (§6.3.1: randomised against synchronisation; the divisor
//                                                      compensates the timer reconsideration of §6.3.6)

/** §6.2: the recommended minimum interval, and half of it before the first report. */
export const RTCP_MIN_INTERVAL_SECONDS = 5;
/** §6.2: RTCP gets 5 % of the session bandwidth. */
export const RTCP_BANDWIDTH_FRACTION = 0.05;
/** §6.3.1 / A.7: e − 3/2. */
export const RTCP_COMPENSATION = Math.E - 1.5;
/** A.7: UDP and IPv4 headers, counted in the average RTCP packet size (§6.2). */
export const RTCP_TRANSPORT_OVERHEAD_OCTETS = 28;

export interface RtcpIntervalInput {
  /** Participants heard in the session, ourselves included (at least 1). */
  readonly members: number;
  /** Members that sent RTP recently, ourselves included when `weSent`. */
  readonly senders: number;
  /** The RTCP bandwidth for the whole session, octets per second (see rtcpBandwidthOctets). */
  readonly rtcpBandwidth: number;
  /** Whether we sent RTP since the report before last (§6.3.8's we_sent). */
  readonly weSent: boolean;
  /** The smoothed size of RTCP packets sent and received, transport headers included (§6.3.3). */
  readonly averageRtcpSize: number;
  /** True until our first report has gone out. */
  readonly initial: boolean;
}

/** 5 % of a session bandwidth given in bits per second, as octets per second. */
export function rtcpBandwidthOctets(sessionBitsPerSecond: number): number {
  return (sessionBitsPerSecond * RTCP_BANDWIDTH_FRACTION) / 8;
}

/**
 * A.7 rtcp_interval(): milliseconds until the next report. `draw` is uniform in [0, 1), mapped to the factor
 * [0.5, 1.5).
 */
export function rtcpIntervalMs(input: RtcpIntervalInput, draw: number): number {
  const minimum = input.initial ? RTCP_MIN_INTERVAL_SECONDS / 2 : RTCP_MIN_INTERVAL_SECONDS;
  let bandwidth = input.rtcpBandwidth;
  let members = Math.max(1, input.members);
  const senders = Math.max(0, Math.min(input.senders, members));
  if (senders <= members * 0.25) {
    if (input.weSent) {
      bandwidth *= 0.25;
      members = senders;
    } else {
      bandwidth *= 0.75;
      members -= senders;
    }
  }
  let seconds = bandwidth > 0 ? (input.averageRtcpSize * members) / bandwidth : minimum;
  if (!(seconds >= minimum)) seconds = minimum;
  seconds *= draw + 0.5;
  seconds /= RTCP_COMPENSATION;
  return seconds * 1000;
}

/** §6.3.3: the average RTCP packet size after one more packet of `octets` (transport headers added here). */
export function nextAverageRtcpSize(average: number, octets: number): number {
  return (octets + RTCP_TRANSPORT_OVERHEAD_OCTETS) / 16 + (average * 15) / 16;
}
