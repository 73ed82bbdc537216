// The stdin control of `softphone call` and `softphone answer`: one JSON object per line acts on the current call,
// and the plain word `quit` hangs up and exits. A line that cannot be used never stops the call: it is answered with
// a `control-error` event (a code, the field at fault, a technical detail) and the next line is read.
//
//   {"cmd":"hold"}  {"cmd":"resume"}  {"cmd":"mute"}  {"cmd":"unmute"}  {"cmd":"hangup"}
//   {"cmd":"dtmf","digits":"12#"}
//   {"cmd":"transfer","target":"sip:carol@example.com"}                               blind (RFC 3515)
//   {"cmd":"transfer","target":"sip:carol@example.com","replaces":"CALLID;to-tag=a;from-tag=b"}   attended (RFC 3891)
import { createInterface } from 'node:readline';
import { DTMF_DIGITS_MAX, DTMF_DIGITS_PATTERN, SIP_URI_MAX } from '../contract/limits';
import { isSipUri, parseUri } from '../sip/message/uri';
import type { Output } from './output';
import { closestName } from './suggest';

export type CallControl =
  | { readonly cmd: 'hold' | 'resume' | 'mute' | 'unmute' | 'hangup' }
  | { readonly cmd: 'dtmf'; readonly digits: string }
  | { readonly cmd: 'transfer'; readonly target: string; readonly replaces: string | null };

export type ControlErrorCode =
  | 'line-too-long'
  | 'invalid-json'
  | 'not-an-object'
  | 'unknown-command'
  | 'missing-field'
  | 'invalid-field'
  | 'unknown-field';

export interface ControlError {
  readonly error: ControlErrorCode;
  /** The field at fault (`cmd`, `digits`, `target`, `replaces`, or the unknown one). */
  readonly field: string | null;
  /** A technical line for the person reading the events. */
  readonly detail: string;
}

/** What one stdin line asks for. */
export type ControlLine =
  | { readonly kind: 'control'; readonly control: CallControl }
  | { readonly kind: 'quit' }
  | { readonly kind: 'blank' }
  | { readonly kind: 'error'; readonly error: ControlError };

/** Longer lines are refused unread: no control needs more than a transfer target and a Replaces value. */
export const CONTROL_LINE_MAX = 4_096;

const SIMPLE = ['hold', 'resume', 'mute', 'unmute', 'hangup'] as const;
const COMMANDS = [...SIMPLE, 'dtmf', 'transfer'] as const;
const FIELDS: Readonly<Record<(typeof COMMANDS)[number], readonly string[]>> = {
  hold: [],
  resume: [],
  mute: [],
  unmute: [],
  hangup: [],
  dtmf: ['digits'],
  transfer: ['target', 'replaces'],
};

/** Reads one line of control input. Never throws. */
export function parseControlLine(line: string): ControlLine {
  if (line.length > CONTROL_LINE_MAX)
    return failure('line-too-long', null, `a control line holds at most ${CONTROL_LINE_MAX} characters`);
  const text = line.trim();
  if (text === '') return { kind: 'blank' };
  if (text === 'quit') return { kind: 'quit' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return failure('invalid-json', null, error instanceof Error ? error.message : String(error));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return failure('not-an-object', null, 'a control line is a JSON object such as {"cmd":"hold"}');
  const object = value as Record<string, unknown>;
  const cmd = object['cmd'];
  if (cmd === undefined)
    return failure('missing-field', 'cmd', 'say what to do in "cmd", as in {"cmd":"hold"}');
  if (typeof cmd !== 'string' || !(COMMANDS as readonly string[]).includes(cmd)) {
    const suggestion = typeof cmd === 'string' ? closestName(cmd, COMMANDS) : undefined;
    return failure(
      'unknown-command',
      'cmd',
      `"cmd" is one of ${COMMANDS.join(', ')}${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
    );
  }
  const command = cmd as (typeof COMMANDS)[number];
  // A misspelt field ("digit") would otherwise be dropped without a word.
  const stray = Object.keys(object).find((key) => key !== 'cmd' && !FIELDS[command].includes(key));
  if (stray !== undefined)
    return failure('unknown-field', stray, `"${command}" takes ${describeFields(FIELDS[command])}`);
  if (command === 'dtmf') return dtmf(object['digits']);
  if (command === 'transfer') return transfer(object['target'], object['replaces']);
  return { kind: 'control', control: { cmd: command } };
}

/**
 * Reads control lines from `input` until it ends or `stop` is called: each usable line goes to `onControl`, `quit`
 * to `onQuit` (once; later lines are not read), and each unusable one becomes a `control-error` event.
 */
export function readControlLines(
  input: NodeJS.ReadableStream,
  output: Pick<Output, 'event'>,
  handlers: { readonly onControl: (control: CallControl) => void; readonly onQuit: () => void },
): () => void {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    lines.close();
  };
  lines.on('line', (line) => {
    if (stopped) return;
    const parsed = parseControlLine(line);
    switch (parsed.kind) {
      case 'control':
        handlers.onControl(parsed.control);
        return;
      case 'quit':
        stop();
        handlers.onQuit();
        return;
      case 'error':
        output.event(controlErrorEvent(parsed.error));
        return;
      case 'blank':
        return;
    }
  });
  return stop;
}

/** The event a refused line becomes. */
export function controlErrorEvent(error: ControlError): Record<string, unknown> {
  return { event: 'control-error', error: error.error, field: error.field, detail: error.detail };
}

function dtmf(digits: unknown): ControlLine {
  if (digits === undefined) return failure('missing-field', 'digits', '"dtmf" needs "digits", as in "12#"');
  const text = typeof digits === 'string' ? digits.toUpperCase() : '';
  if (text.length === 0 || text.length > DTMF_DIGITS_MAX || !DTMF_DIGITS_PATTERN.test(text))
    return failure('invalid-field', 'digits', `"digits" holds 1 to ${DTMF_DIGITS_MAX} of 0-9 * # A-D`);
  return { kind: 'control', control: { cmd: 'dtmf', digits: text } };
}

function transfer(target: unknown, replaces: unknown): ControlLine {
  if (target === undefined)
    return failure('missing-field', 'target', '"transfer" needs "target", a sip: or sips: URI');
  if (typeof target !== 'string' || target.length > SIP_URI_MAX || !isSipTarget(target))
    return failure('invalid-field', 'target', '"target" must be a sip: or sips: URI');
  if (replaces === undefined || replaces === null)
    return { kind: 'control', control: { cmd: 'transfer', target: target.trim(), replaces: null } };
  if (typeof replaces !== 'string' || !isReplaces(replaces))
    return failure(
      'invalid-field',
      'replaces',
      '"replaces" names the other dialog as CALL-ID;to-tag=TAG;from-tag=TAG (RFC 3891 §6.1)',
    );
  return { kind: 'control', control: { cmd: 'transfer', target: target.trim(), replaces: replaces.trim() } };
}

function isSipTarget(text: string): boolean {
  const parsed = parseUri(text.trim());
  return parsed.ok && isSipUri(parsed.value);
}

/**
 * RFC 3891 §6.1: `callid *(SEMI replaces-param)` with both to-tag and from-tag; `early-only` may follow. Checked
 * loosely (tokens, no spaces or control characters) since it ends up escaped inside the Refer-To URI.
 */
function isReplaces(text: string): boolean {
  const [callId, ...params] = text.trim().split(';');
  if (!callId || !/^[\x21-\x7e]+$/.test(callId) || text.length > 1_024) return false;
  const names = new Set<string>();
  for (const param of params) {
    const match = /^\s*(to-tag|from-tag|early-only)(?:=([\x21-\x3a\x3c-\x7e]+))?\s*$/i.exec(param);
    if (!match) return false;
    const name = match[1]!.toLowerCase();
    if ((name === 'early-only') !== (match[2] === undefined) || names.has(name)) return false;
    names.add(name);
  }
  return names.has('to-tag') && names.has('from-tag');
}

function describeFields(fields: readonly string[]): string {
  return fields.length === 0 ? 'no other field' : fields.map((field) => `"${field}"`).join(' and ');
}

function failure(error: ControlErrorCode, field: string | null, detail: string): ControlLine {
  return { kind: 'error', error: { error, field, detail } };
}
