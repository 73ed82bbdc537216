// RFC 5761 §4: on a port shared by RTP and RTCP (rtcp-mux), the second octet tells them apart. RTCP packet types
// 192–223 there would be RTP payload types 64–95 with the marker bit set, which §4 keeps out of use for RTP.

/** True when a datagram on a muxed port is RTCP (its second octet is 192–223). */
export function isRtcpDatagram(data: Uint8Array): boolean {
  const second = data[1];
  return second !== undefined && second >= 192 && second <= 223;
}
