// RFC 3261 §7: serialisation. Content-Length is always written from the actual body so a message we send can never
// declare a length it does not have (RFC 3261 §18.3, §20.14).
import { isToken } from './header-names';
import type { SipMessage } from './message';

/**
 * The wire image of a message. Throws a TypeError when a start-line part or a header carries CR or LF (or a header
 * name is not a token): such a message was assembled around makeField's checks and would smuggle in a header.
 */
export function serializeMessage(message: SipMessage): Buffer {
  let startLine: string;
  if (message.kind === 'request') {
    refuseLineBreak('method', message.method);
    refuseLineBreak('Request-URI', message.requestUriText);
    startLine = `${message.method} ${message.requestUriText} SIP/2.0`;
  } else {
    refuseLineBreak('reason phrase', message.reason);
    startLine = `SIP/2.0 ${message.status} ${message.reason}`;
  }
  let head = `${startLine}\r\n`;
  let wroteLength = false;
  for (const field of message.headers) {
    if (!isToken(field.name)) throw new TypeError(`invalid header name: ${JSON.stringify(field.name)}`);
    if (field.key === 'content-length') {
      if (wroteLength) continue;
      head += `${field.name}: ${message.body.length}\r\n`;
      wroteLength = true;
    } else {
      refuseLineBreak(field.name, field.value);
      head += `${field.name}: ${field.value}\r\n`;
    }
  }
  if (!wroteLength) head += `Content-Length: ${message.body.length}\r\n`;
  head += '\r\n';
  if (message.body.length === 0) return Buffer.from(head, 'utf8');
  return Buffer.concat([Buffer.from(head, 'utf8'), message.body]);
}

function refuseLineBreak(what: string, text: string): void {
  if (text.includes('\n') || text.includes('\r')) throw new TypeError(`${what} contains CR or LF`);
}
