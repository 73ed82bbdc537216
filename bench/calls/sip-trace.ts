// Reading the SIP trace hook's bytes just enough to time a call's setup: which call an INVITE, a 2xx to it or an
// ACK belongs to.

function textOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function callIdIn(text: string): string | undefined {
  return /^(?:Call-ID|i)[ \t]*:[ \t]*(\S+)/im.exec(text)?.[1];
}

/** The Call-ID of a SIP message's bytes when it is a request of `method`. */
export function requestCallId(bytes: Uint8Array, method: string): string | undefined {
  const text = textOf(bytes);
  return text.startsWith(`${method} `) ? callIdIn(text) : undefined;
}

/** The Call-ID of a 2xx to an INVITE. */
export function okCallId(bytes: Uint8Array): string | undefined {
  const text = textOf(bytes);
  if (!/^SIP\/2\.0 2\d\d /.test(text) || !/^CSeq[ \t]*:[ \t]*\d+[ \t]+INVITE\b/im.test(text))
    return undefined;
  return callIdIn(text);
}
