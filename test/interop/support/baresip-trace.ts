// baresip's SIP trace (`startBaresip({ sipTrace: true })`, its `-s` flag) read back as messages, so interop tests
// can show what went on the wire at a baresip phone: each message follows a direction line `UDP a -> b` and ends
// with a colour reset.

/** One SIP message of baresip's trace: the direction line (`UDP a -> b`) and the message up to the colour reset. */
export interface TracedMessage {
  readonly from: string;
  readonly to: string;
  readonly startLine: string;
  /** The message without the direction line, start line included. */
  readonly text: string;
}

// baresip colours its trace; the escape sequences are noise here.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** Every SIP message in a baresip log, in order. */
export function tracedMessages(log: string): TracedMessage[] {
  const messages: TracedMessage[] = [];
  const lines = log.split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const direction = /^UDP (\S+) -> (\S+)$/.exec(lines[index]!.replace(ANSI, '').trim());
    if (direction === null) continue;
    const body: string[] = [];
    // Each traced message ends with a colour reset of its own line.
    for (index += 1; index < lines.length && !lines[index]!.includes('[;m'); index += 1)
      body.push(lines[index]!.replace(ANSI, ''));
    messages.push({
      from: direction[1]!,
      to: direction[2]!,
      startLine: body[0] ?? '',
      text: body.join('\n'),
    });
  }
  return messages;
}

/** The value of the message's first `name` header (case-insensitive name), if any; the body is not searched. */
export function header(message: TracedMessage, name: string): string | undefined {
  const head = message.text.split('\n\n')[0] ?? '';
  const line = head
    .split('\n')
    .find((candidate) => candidate.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}
