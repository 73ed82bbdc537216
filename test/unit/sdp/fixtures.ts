// SDP bodies for the tests, written for this project after the structure of the RFC examples and of what real
// phones send. Lines are joined with CRLF as RFC 8866 §5 writes them.

export function sdp(...lines: string[]): string {
  return `${lines.join('\r\n')}\r\n`;
}

/** RFC 3264 §10.1's shape: one audio and two video streams, host names as addresses. */
export const RFC3264_OFFER = sdp(
  'v=0',
  'o=alice 2890844526 2890844526 IN IP4 host.atlanta.example',
  's=',
  'c=IN IP4 host.atlanta.example',
  't=0 0',
  'm=audio 49170 RTP/AVP 0 8 97',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:97 iLBC/8000',
  'm=video 51372 RTP/AVP 31 32',
  'a=rtpmap:31 H261/90000',
  'a=rtpmap:32 MPV/90000',
);

/** What a baresip-like phone offers: Opus first, G.711, telephone-event/8000 only, rtcp-mux. */
export const BARESIP_OFFER = sdp(
  'v=0',
  'o=- 1764906722 3221225472 IN IP4 192.0.2.10',
  's=-',
  'c=IN IP4 192.0.2.10',
  't=0 0',
  'm=audio 10020 RTP/AVP 96 0 8 101',
  'b=AS:64',
  'a=rtpmap:96 opus/48000/2',
  'a=fmtp:96 stereo=1;sprop-stereo=1',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=rtcp-mux',
  'a=sendrecv',
  'a=label:1',
  'a=ptime:20',
);

/** A desk-phone style offer as it arrives through a record-routing proxy: G.711 only, no rtpmap for statics. */
export const G711_ONLY_OFFER = sdp(
  'v=0',
  'o=user1 53655765 2353687637 IN IP4 198.51.100.7',
  's=-',
  'c=IN IP4 198.51.100.7',
  't=0 0',
  'm=audio 6000 RTP/AVP 8 0 101',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=ptime:20',
  'a=rtcp:6001',
);

/** Opus only, with telephone-event at 48 kHz, over IPv6 with a=rtcp naming its own address. */
export const OPUS_IPV6_OFFER = sdp(
  'v=0',
  'o=- 4611731400430051336 2 IN IP6 2001:db8::10',
  's=-',
  'c=IN IP6 2001:db8::10',
  't=0 0',
  'm=audio 40000 RTP/AVP 109 110',
  'a=rtpmap:109 opus/48000/2',
  'a=fmtp:109 minptime=10;useinbandfec=1',
  'a=rtpmap:110 telephone-event/48000',
  'a=rtcp:40005 IN IP6 2001:db8::11',
  'a=ptime:40',
);

/** RFC 2543-style hold: c=0.0.0.0 with no direction attribute. */
export const LEGACY_HOLD_OFFER = sdp(
  'v=0',
  'o=- 10 11 IN IP4 192.0.2.20',
  's=-',
  'c=IN IP4 0.0.0.0',
  't=0 0',
  'm=audio 7000 RTP/AVP 0',
);

/** Video only: nothing for us. */
export const VIDEO_ONLY_OFFER = sdp(
  'v=0',
  'o=- 1 1 IN IP4 192.0.2.30',
  's=-',
  'c=IN IP4 192.0.2.30',
  't=0 0',
  'm=video 9000 RTP/AVP 96',
  'a=rtpmap:96 H264/90000',
);

/** Audio with only codecs we lack (G.722 static 9, AMR). */
export const NO_COMMON_CODEC_OFFER = sdp(
  'v=0',
  'o=- 1 1 IN IP4 192.0.2.31',
  's=-',
  'c=IN IP4 192.0.2.31',
  't=0 0',
  'm=audio 9002 RTP/AVP 9 98',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:98 AMR/8000',
);

/** A T.38 fax stream beside audio, with media-level c= and a session-level direction overridden per stream. */
export const AUDIO_AND_IMAGE_OFFER = sdp(
  'v=0',
  'o=- 5 5 IN IP4 192.0.2.40',
  's=-',
  't=0 0',
  'a=sendonly',
  'm=image 0 udptl t38',
  'm=audio 5004 RTP/AVP 0 101',
  'c=IN IP4 192.0.2.41',
  'a=rtpmap:101 telephone-event/8000',
  'a=recvonly',
  'm=image 5006 udptl t38',
  'c=IN IP4 192.0.2.41',
);
