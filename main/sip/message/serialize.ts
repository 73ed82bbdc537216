// RFC 3261 §7: serialisation. Content-Length is always written from the actual body so a message we send can never
// declare a length it does not have (RFC 3261 §18.3, §20.14).
import type { SipMessage } from './message';

export function serializeMessage(message: SipMessage): Buffer {
  const startLine =
    message.kind === 'request'
      ? `${message.method} ${message.requestUriText} SIP/2.0`
      : `SIP/2.0 ${message.status} ${message.reason}`;
  let head = `${startLine}\r\n`;
  let wroteLength = false;
  for (const field of message.headers) {
    if (field.key === 'content-length') {
      if (wroteLength) continue;
      head += `${field.name}: ${message.body.length}\r\n`;
      wroteLength = true;
    } else {
      head += `${field.name}: ${field.value}\r\n`;
    }
  }
  if (!wroteLength) head += `Content-Length: ${message.body.length}\r\n`;
  head += '\r\n';
  if (message.body.length === 0) return Buffer.from(head, 'utf8');
  return Buffer.concat([Buffer.from(head, 'utf8'), message.body]);
}
