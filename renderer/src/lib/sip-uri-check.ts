// RFC 3261 §19.1 / §25.1 SIP-URI syntax, checked in the interface so a person sees what is wrong while typing. It
// accepts exactly what the engine's parser (main/sip/message/uri.ts) accepts — the engine checks again, this only
// explains — and instead of yes/no it says which part is wrong and how to write it.

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const MARKS = "-_.!~*'()";
const USER_CHARS = new Set(`${ALNUM}${MARKS}&=+$,;?/%`);
const PASSWORD_CHARS = new Set(`${ALNUM}${MARKS}&=+$,%`);
const PARAM_CHARS = new Set(`${ALNUM}${MARKS}[]/:&+$%`);
const HEADER_CHARS = new Set(`${ALNUM}${MARKS}[]/?:+$%`);
const HOST_CHARS = new Set(`${ALNUM}-._`);
const HEX = new Set('0123456789abcdefABCDEF');

export interface SipUriCheckOptions {
  /** An address of record needs a user part (`alice@`); a proxy does not. */
  readonly requireUser: boolean;
}

/** Why a SIP URI is not acceptable, as one sentence a person can act on; `null` when it is fine. */
export function checkSipUri(input: string, options: SipUriCheckOptions): string | null {
  const text = input.trim();
  const example = options.requireUser ? 'sip:alice@example.com' : 'sip:proxy.example.com';
  if (text === '') return `Enter a SIP address such as ${example}.`;
  if (hasDelimiters(text)) return 'Remove the spaces, quotes or angle brackets.';

  const colon = text.indexOf(':');
  const scheme = colon > 0 ? text.slice(0, colon).toLowerCase() : '';
  if (scheme === 'tel') return `Use a SIP address (${example}), not a tel: number.`;
  if (scheme !== 'sip' && scheme !== 'sips') {
    const looksLikeHostPort = colon > 0 && /^[0-9]+$/.test(text.slice(colon + 1, colon + 6));
    if (colon < 0 || text.includes('@') || looksLikeHostPort) {
      // Suggest the text with sip: in front only when that would be accepted.
      if (checkSipUri(`sip:${text}`, options) === null) return `Start with sip:, as in sip:${text}.`;
      if (options.requireUser && !text.includes('@'))
        return `Start with sip: and put your user name in front, as in ${example}.`;
    }
    return `Start with sip:, as in ${example}.`;
  }

  const rest = colon + 1;
  const at = text.indexOf('@', rest);
  let hostStart = rest;
  let hasUser = false;
  if (at >= 0) {
    const passwordColon = text.indexOf(':', rest);
    const userEnd = passwordColon >= 0 && passwordColon < at ? passwordColon : at;
    if (userEnd === rest) return `Put the user name before @, as in ${example}.`;
    const userProblem = charsProblem(text.slice(rest, userEnd), USER_CHARS, 'The user name');
    if (userProblem) return userProblem;
    if (userEnd < at) {
      const passwordProblem = charsProblem(text.slice(userEnd + 1, at), PASSWORD_CHARS, 'The password part');
      if (at > userEnd + 1 && passwordProblem) return passwordProblem;
    }
    hasUser = true;
    hostStart = at + 1;
  }

  const question = indexOrEnd(text, '?', hostStart);
  const semicolon = Math.min(indexOrEnd(text, ';', hostStart), question);
  const hostProblem = hostPortProblem(text.slice(hostStart, semicolon), hasUser);
  if (hostProblem) return hostProblem;
  if (options.requireUser && !hasUser) {
    return `Add the user name and @ in front of the server, as in ${example}.`;
  }

  for (const param of splitAfter(text.slice(semicolon, question), ';')) {
    const eq = param.indexOf('=');
    const name = eq >= 0 ? param.slice(0, eq) : param;
    const value = eq >= 0 ? param.slice(eq + 1) : '';
    if (name === '') return 'A parameter after ; has no name.';
    const problem =
      charsProblem(name, PARAM_CHARS, `The parameter "${name}"`) ||
      (value === '' ? null : charsProblem(value, PARAM_CHARS, `The value of "${name}"`));
    if (problem) return problem;
  }
  if (question < text.length) {
    for (const pair of text.slice(question + 1).split('&')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) return 'Each header after ? needs the form name=value.';
      const problem =
        charsProblem(pair.slice(0, eq), HEADER_CHARS, 'A header name') ||
        (eq + 1 < pair.length ? charsProblem(pair.slice(eq + 1), HEADER_CHARS, 'A header value') : null);
      if (problem) return problem;
      // The engine checks escapes over the whole pair, the '=' included.
      if (!escapesValid(pair)) return 'Write % only as the start of an escape such as %20.';
    }
  }
  return null;
}

/** Whitespace, controls, quotes and angle brackets cannot stand anywhere in a URI (RFC 3261 §25.1). */
function hasDelimiters(text: string): boolean {
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code <= 0x20 || code === 0x7f || char === '"' || char === '<' || char === '>' || /\s/u.test(char)) {
      return true;
    }
  }
  return false;
}

function indexOrEnd(text: string, char: string, from: number): number {
  const index = text.indexOf(char, from);
  return index < 0 ? text.length : index;
}

/** The pieces of `text` after each separator; `text` starts with the separator or is empty. */
function splitAfter(text: string, separator: string): string[] {
  return text === '' ? [] : text.slice(1).split(separator);
}

function charsProblem(part: string, allowed: ReadonlySet<string>, what: string): string | null {
  for (const char of part) {
    if (!allowed.has(char)) return `${what} cannot contain "${char}"; write it as a %XX escape.`;
  }
  return escapesValid(part) ? null : 'Write % only as the start of an escape such as %20.';
}

function escapesValid(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '%') continue;
    if (!HEX.has(text[i + 1] ?? '') || !HEX.has(text[i + 2] ?? '')) return false;
    i += 2;
  }
  return true;
}

function hostPortProblem(text: string, afterAt: boolean): string | null {
  const where = afterAt ? 'after @' : 'after sip:';
  if (text === '' || text.startsWith(':')) return `Add the server name or IP address ${where}.`;
  let portText: string | null = null;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return 'Close the IPv6 address with ].';
    if (!isIPv6Reference(text.slice(1, close)))
      return `"${text.slice(0, close + 1)}" is not an IPv6 address.`;
    const tail = text.slice(close + 1);
    if (tail !== '' && !tail.startsWith(':')) return 'Only a :port may follow the IPv6 address.';
    if (tail !== '') portText = tail.slice(1);
  } else {
    const colon = text.indexOf(':');
    const host = colon >= 0 ? text.slice(0, colon) : text;
    if (colon >= 0) portText = text.slice(colon + 1);
    const problem = hostnameProblem(host);
    if (problem) return problem;
  }
  if (portText !== null && !/^[0-9]{1,5}$/.test(portText))
    return 'The port must be a number from 0 to 65535.';
  if (portText !== null && Number(portText) > 65_535) return 'The port must be a number from 0 to 65535.';
  return null;
}

function hostnameProblem(host: string): string | null {
  for (const char of host) {
    if (!HOST_CHARS.has(char)) return `The server name cannot contain "${char}".`;
  }
  const labels = host.endsWith('.') ? host.slice(0, -1).split('.') : host.split('.');
  if (labels.some((label) => label === '')) return `"${host}" has an empty part between dots.`;
  if (labels.some((label) => label.startsWith('-') || label.endsWith('-'))) {
    return 'A part of the server name cannot start or end with "-".';
  }
  if (/^[0-9.]+$/.test(host) && !isIPv4(host)) return `"${host}" is not a valid IPv4 address.`;
  return null;
}

export function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return (
    parts.length === 4 && parts.every((part) => /^(0|[1-9][0-9]{0,2})$/.test(part) && Number(part) <= 255)
  );
}

/**
 * An IPv6 address as it may stand inside brackets: hex groups with at most one `::`, an optional dotted IPv4 tail
 * and an optional `%zone`. RFC 5118 §4.10's three-colon spelling before an IPv4 tail is tolerated, as the engine does.
 */
export function isIPv6Reference(text: string): boolean {
  if (isIPv6(text)) return true;
  const triple = text.indexOf(':::');
  if (triple < 0 || text.indexOf(':', triple + 3) >= 0 || !isIPv4(text.slice(triple + 3))) return false;
  return isIPv6(`${text.slice(0, triple)}::${text.slice(triple + 3)}`);
}

function isIPv6(text: string): boolean {
  const percent = text.indexOf('%');
  if (percent >= 0 && !/^[0-9a-zA-Z.:-]+$/.test(text.slice(percent + 1))) return false;
  let address = percent >= 0 ? text.slice(0, percent) : text;
  const lastColon = address.lastIndexOf(':');
  if (address.includes('.', lastColon)) {
    // A dotted IPv4 tail stands for the last two groups.
    if (lastColon < 0 || !isIPv4(address.slice(lastColon + 1))) return false;
    address = `${address.slice(0, lastColon + 1)}0:0`;
  }
  const double = address.indexOf('::');
  if (double >= 0 && address.indexOf('::', double + 1) >= 0) return false;
  const parts = (side: string) => (side === '' ? [] : side.split(':'));
  const head = double >= 0 ? parts(address.slice(0, double)) : parts(address);
  const tail = double >= 0 ? parts(address.slice(double + 2)) : [];
  if (![...head, ...tail].every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return false;
  const groups = head.length + tail.length;
  return double >= 0 ? groups <= 7 : groups === 8;
}
