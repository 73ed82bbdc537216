// RFC 8866 (SDP) text → the validated model of session-description.ts. sdp-transform splits the text into fields;
// this module checks what sdp-transform silently tolerates (lines its grammar does not match are dropped, numbers
// may come back as strings) and turns each problem into an SdpError with the SIP status to answer. Never throws.
import {
  parse as parseSdpText,
  type MediaDescription,
  type SessionDescription as RawSession,
} from 'sdp-transform';
import { err, ok, type Result } from '../contract/result';
import { malformed, notAcceptable, type SdpError } from './sdp-error';
import {
  isRtpProtocol,
  type ConnectionAddress,
  type Direction,
  type MediaSection,
  type Origin,
  type RtpFormat,
  type RtpMap,
  type SessionDescription,
} from './session-description';

/** Far above any audio/video offer a phone sends (a few hundred bytes); a bigger body is refused unread. */
export const MAX_SDP_BYTES = 16 * 1024;
const MAX_MEDIA_SECTIONS = 16;

// RFC 8866 §9: text is CRLF-separated `<type>=<value>` lines; type is one lower-case letter.
const LINE = /^[a-z]=/;
// The encoding name is an RFC 8866 §9 token (any visible character but separators and '/').
const RTPMAP = /^a=rtpmap:(\d{1,3}) ([!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+)\/(\d{1,10})(?:\/(\d{1,3}))?\s*$/;
const DECIMAL = /^\d{1,20}$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})$/;
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/;

export function parseSessionDescription(body: string | Uint8Array): Result<SessionDescription, SdpError> {
  try {
    return parseChecked(body);
  } catch (error) {
    // A defect in sdp-transform or here must not end a call: the body is refused like any other bad one.
    return err(malformed(`SDP could not be read: ${error instanceof Error ? error.message : String(error)}`));
  }
}

function parseChecked(body: string | Uint8Array): Result<SessionDescription, SdpError> {
  const text = decode(body);
  if (!text.ok) return text;
  const lines = text.value.split(/\r\n|\r|\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) return err(malformed('empty SDP body'));
  if (lines[0] !== 'v=0') return err(malformed('SDP must start with v=0 (RFC 8866 §5.1)'));
  for (const line of lines) {
    if (!LINE.test(line)) return err(malformed(`not an SDP line: ${quote(line)}`));
  }
  const rtpmaps = readRawLines(lines);
  if (!rtpmaps.ok) return rtpmaps;

  const raw: RawSession = parseSdpText(text.value);
  const origin = readOrigin(raw);
  if (!origin.ok) return origin;
  const sessionConnection = readConnection(raw.connection, 'session');
  if (!sessionConnection.ok) return sessionConnection;
  if (raw.media.length > MAX_MEDIA_SECTIONS) return err(malformed(`more than ${MAX_MEDIA_SECTIONS} m-lines`));

  const media: MediaSection[] = [];
  for (const [index, section] of raw.media.entries()) {
    const read = readMedia(section, index, sessionConnection.value !== undefined, rtpmaps.value[index]);
    if (!read.ok) return read;
    media.push(read.value);
  }
  return ok({
    origin: origin.value,
    sessionName: typeof raw.name === 'string' ? raw.name : '',
    ...(sessionConnection.value === undefined ? {} : { connection: sessionConnection.value }),
    ...optionalDirection(raw.direction),
    media,
  });
}

function decode(body: string | Uint8Array): Result<string, SdpError> {
  // A string's UTF-8 size is at least its length, so an enormous one is refused before it is measured.
  const size =
    typeof body === 'string'
      ? body.length > MAX_SDP_BYTES
        ? body.length
        : new TextEncoder().encode(body).byteLength
      : body.byteLength;
  if (size > MAX_SDP_BYTES)
    return err(malformed(`SDP body of ${size} bytes is over the ${MAX_SDP_BYTES}-byte limit`));
  let text: string;
  if (typeof body === 'string') {
    text = body;
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      return err(malformed('SDP body is not UTF-8 text'));
    }
  }
  if (hasControlBytes(text)) return err(malformed('SDP body holds NUL or other control bytes'));
  return ok(text);
}

/**
 * sdp-transform drops lines its grammar does not match and reads rtpmap encoding names only as far as `[\w.-]`
 * goes, so a broken `m=` or `a=rtpmap` would vanish or be half read. Those lines are checked on the raw text (RFC
 * 8866 §5.14 for m=, §6.6 for rtpmap: `<payload type> <encoding name>/<clock rate>[/<channels>]`), and the rtpmaps
 * read here, one map per m-line in order, are the ones used.
 */
function readRawLines(lines: readonly string[]): Result<Map<number, RtpMap>[], SdpError> {
  const sections: Map<number, RtpMap>[] = [];
  for (const line of lines) {
    if (line.startsWith('m=')) {
      // A port count (`49170/2`) asks for several consecutive RTP sessions (RFC 8866 §5.14): not what a phone does.
      if (/^m=\S+ \d+\/\d+ /.test(line))
        return err(notAcceptable(`port counts are not supported: ${quote(line)}`));
      // A trailing space after the last format is tolerated: some phones write one.
      if (!/^m=[A-Za-z0-9_-]+ \d{1,5} [A-Za-z0-9/_.-]+( \S+)+ *$/.test(line)) {
        return err(malformed(`malformed m= line: ${quote(line)}`));
      }
      sections.push(new Map());
      continue;
    }
    if (!line.startsWith('a=rtpmap:')) continue;
    const match = RTPMAP.exec(line);
    if (match === null) return err(malformed(`bad rtpmap: ${quote(line)}`));
    const payloadType = Number(match[1]);
    const clockRate = Number(match[3]);
    const channels = match[4] === undefined ? 1 : Number(match[4]);
    if (clockRate === 0) return err(malformed(`rtpmap with a zero clock rate: ${quote(line)}`));
    if (channels === 0) return err(malformed(`rtpmap with zero channels: ${quote(line)}`));
    const section = sections[sections.length - 1];
    // A session-level rtpmap means nothing (RFC 8866 §6.6 is media-level only): checked, then ignored.
    if (section === undefined) continue;
    if (section.has(payloadType)) return err(malformed(`two rtpmap lines for payload type ${payloadType}`));
    section.set(payloadType, { encodingName: match[2] ?? '', clockRate, channels });
  }
  return ok(sections);
}

function readOrigin(raw: RawSession): Result<Origin, SdpError> {
  // sdp-transform's origin fields are optional in practice even though the typing says otherwise.
  const origin = raw.origin as Partial<RawSession['origin']> | undefined;
  if (origin === undefined) return err(malformed('missing or malformed o= line (RFC 8866 §5.2)'));
  const sessionId = String(origin.sessionId ?? '');
  const sessionVersion = String(origin.sessionVersion ?? '');
  if (!DECIMAL.test(sessionId) || !DECIMAL.test(sessionVersion)) {
    return err(malformed('o= session id and version must be decimal numbers (RFC 8866 §5.2)'));
  }
  if (origin.netType !== 'IN') return err(malformed('o= network type must be IN'));
  // The o= address only helps make the origin unique; nobody sends to it. Phones write odd things there (host
  // names with underscores, private names), so anything without spaces is kept rather than failing the call.
  const written = String(origin.address ?? '');
  if (written === '') return err(malformed('o= has no address (RFC 8866 §5.2)'));
  const address = toAddress(origin.ipVer, written);
  return ok({
    username: typeof origin.username === 'string' ? origin.username : '-',
    sessionId,
    sessionVersion,
    address: address.ok
      ? address.value
      : { addressType: origin.ipVer === 6 ? 'IP6' : 'IP4', address: written },
  });
}

function readConnection(
  connection: { version?: number; ip?: string } | undefined,
  where: string,
): Result<ConnectionAddress | undefined, SdpError> {
  if (connection === undefined) return ok(undefined);
  const ip = String(connection.ip ?? '');
  // A TTL or address count (`/127`, `/3`) marks a multicast group (RFC 8866 §5.7); a phone call is unicast.
  if (ip.includes('/'))
    return err(notAcceptable(`multicast ${where} connection ${quote(ip)} is not supported`));
  return toAddress(connection.version, ip);
}

function toAddress(version: unknown, host: unknown): Result<ConnectionAddress, SdpError> {
  const text = typeof host === 'string' ? host : String(host ?? '');
  if (version === 4) {
    const quad = IPV4.exec(text);
    if (quad !== null) {
      if (quad.slice(1).some((octet) => Number(octet) > 255))
        return err(malformed(`bad IPv4 address ${quote(text)}`));
      return ok({ addressType: 'IP4', address: text });
    }
    if (DOMAIN.test(text) && /[A-Za-z]/.test(text)) return ok({ addressType: 'IP4', address: text });
    return err(malformed(`bad IPv4 address ${quote(text)}`));
  }
  if (version === 6) {
    if ((IPV6.test(text) && text.includes(':')) || (DOMAIN.test(text) && /[A-Za-z]/.test(text))) {
      return ok({ addressType: 'IP6', address: text });
    }
    return err(malformed(`bad IPv6 address ${quote(text)}`));
  }
  return err(notAcceptable(`address type IP${String(version)} is not supported`));
}

function readMedia(
  section: MediaDescription,
  index: number,
  hasSessionConnection: boolean,
  rtpmaps: ReadonlyMap<number, RtpMap> = new Map(),
): Result<MediaSection, SdpError> {
  const where = `m-line ${index + 1}`;
  const type = String(section.type ?? '');
  const protocol = String(section.protocol ?? '');
  if (!/^[A-Za-z0-9_-]+$/.test(type) || protocol === '') return err(malformed(`${where}: malformed m= line`));
  const port = readPort(section.port);
  if (port === undefined) return err(malformed(`${where}: impossible port ${quote(String(section.port))}`));
  const formats = String(section.payloads ?? '')
    .split(' ')
    .filter((token) => token !== '');
  if (formats.length === 0) return err(malformed(`${where}: no formats`));

  const connection = readConnection(section.connection, where);
  if (!connection.ok) return connection;
  if (port !== 0 && connection.value === undefined && !hasSessionConnection) {
    return err(malformed(`${where}: no c= line for an active stream (RFC 8866 §5.7)`));
  }

  const rtpFormats = isRtpProtocol(protocol) ? readRtpFormats(section, formats, rtpmaps, where) : ok([]);
  if (!rtpFormats.ok) return rtpFormats;

  const rtcp = readRtcp(section, where);
  if (!rtcp.ok) return rtcp;
  const ptime = readPositive(section.ptime);
  const maxptime = readPositive(section.maxptime);
  return ok({
    type,
    port,
    protocol,
    formats,
    rtpFormats: rtpFormats.value,
    ...(connection.value === undefined ? {} : { connection: connection.value }),
    ...optionalDirection(section.direction),
    ...(rtcp.value === undefined ? {} : { rtcp: rtcp.value }),
    rtcpMux: section.rtcpMux === 'rtcp-mux',
    ...(ptime === undefined ? {} : { ptime }),
    ...(maxptime === undefined ? {} : { maxptime }),
  });
}

function readRtpFormats(
  section: MediaDescription,
  formats: readonly string[],
  rtpmaps: ReadonlyMap<number, RtpMap>,
  where: string,
): Result<RtpFormat[], SdpError> {
  const payloadTypes: number[] = [];
  for (const token of formats) {
    // RTP has a 7-bit payload type field (RFC 3550 §5.1).
    if (!/^\d{1,3}$/.test(token) || Number(token) > 127) {
      return err(malformed(`${where}: payload type ${quote(token)} is not in 0-127`));
    }
    payloadTypes.push(Number(token));
  }
  const fmtps = new Map<number, string>();
  for (const entry of section.fmtp) fmtps.set(Number(entry.payload), String(entry.config));
  return ok(
    payloadTypes.map((payloadType) => {
      const rtpmap = rtpmaps.get(payloadType);
      const fmtp = fmtps.get(payloadType);
      return {
        payloadType,
        ...(rtpmap === undefined ? {} : { rtpmap }),
        ...(fmtp === undefined ? {} : { fmtp }),
      };
    }),
  );
}

function readRtcp(section: MediaDescription, where: string): Result<MediaSection['rtcp'], SdpError> {
  const rtcp = section.rtcp as Partial<NonNullable<MediaDescription['rtcp']>> | undefined;
  if (rtcp === undefined) return ok(undefined);
  const port = readPort(rtcp.port);
  if (port === undefined || port === 0) return err(malformed(`${where}: impossible a=rtcp port`));
  if (rtcp.address === undefined) return ok({ port });
  if (rtcp.netType !== 'IN') return err(malformed(`${where}: a=rtcp network type must be IN`));
  const address = toAddress(Number(rtcp.ipVer), rtcp.address);
  if (!address.ok) return address;
  return ok({ port, address: address.value });
}

function readPort(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65_535) return undefined;
  return value;
}

function readPositive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 10_000
    ? value
    : undefined;
}

function optionalDirection(value: unknown): { direction?: Direction } {
  return value === 'sendrecv' || value === 'sendonly' || value === 'recvonly' || value === 'inactive'
    ? { direction: value }
    : {};
}

/**
 * Values are byte-strings without NUL, CR or LF (RFC 8866 §9); line breaks are split off before this matters, and
 * we also refuse the other C0 controls and DEL (tab included: SDP separates fields with single spaces).
 */
function hasControlBytes(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if ((code < 0x20 && code !== 0x0d && code !== 0x0a) || code === 0x7f) return true;
  }
  return false;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
