// The stdin control of `softphone call` and `softphone answer`: one JSON object per line acts on the current call,
// and the plain word `quit` hangs up and exits. A line that cannot be used never stops the call: it is answered with
// a `control-error` event (a code, the field at fault, a technical detail) and the next line is read.
//
//   {"cmd":"hold"}  {"cmd":"resume"}  {"cmd":"mute"}  {"cmd":"unmute"}  {"cmd":"hangup"}
//   {"cmd":"dtmf","digits":"12#"}
//   {"cmd":"transfer","target":"sip:carol@example.com"}                               blind (RFC 3515)
//   {"cmd":"call","target":"sip:carol@example.com"}   a consultation call: holds the current call, calls carol
//   {"cmd":"swap"}                                    holds the current call and resumes the other one
//   {"cmd":"transfer","replaces":true}                attended (RFC 3891): the other call to the consultation's far
//   {"cmd":"transfer","replaces":"call-…"}            end, replacing our consultation dialog (or the one named)
//   {"cmd":"transfer","target":"sip:carol@example.com","replaces":"CALLID;to-tag=a;from-tag=b"}
//                                                     attended, to a dialog another UA holds with carol
import { createInterface } from 'node:readline';
import { DTMF_DIGITS_MAX, DTMF_DIGITS_PATTERN, SIP_URI_MAX } from '../contract/limits';
import { isSipUri, parseUri } from '../sip/message/uri';
import type { Output } from './output';
import { closestName } from './suggest';

/** What an attended transfer replaces at the target. */
export type TransferReplaces =
  /** A consultation call of this run: `callId` names it (the id in its events), null the one there is. */
  | { readonly kind: 'consultation'; readonly callId: string | null }
  /** A dialog another UA holds with the target, RFC 3891 §6.1: CALL-ID;to-tag=…;from-tag=… as the target sees it. */
  | { readonly kind: 'dialog'; readonly value: string };

export type CallControl =
  | { readonly cmd: 'hold' | 'resume' | 'mute' | 'unmute' | 'hangup' | 'swap' }
  | { readonly cmd: 'dtmf'; readonly digits: string }
  | { readonly cmd: 'call'; readonly target: string }
  /** Blind when `replaces` is null; `target` is null only for a transfer to a consultation call. */
  | { readonly cmd: 'transfer'; readonly target: string | null; readonly replaces: TransferReplaces | null };

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

const SIMPLE = ['hold', 'resume', 'mute', 'unmute', 'hangup', 'swap'] as const;
const COMMANDS = [...SIMPLE, 'dtmf', 'call', 'transfer'] as const;
const FIELDS: Readonly<Record<(typeof COMMANDS)[number], readonly string[]>> = {
  hold: [],
  resume: [],
  mute: [],
  unmute: [],
  hangup: [],
  swap: [],
  dtmf: ['digits'],
  call: ['target'],
  transfer: ['target', 'replaces'],
};

/** The ids `softphone` gives its calls in events (`call-` and a token), as a consultation is named. */
const CALL_ID_PATTERN = /^call-[A-Za-z0-9]{1,64}$/;

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
  if (command === 'call') return consult(object['target']);
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

const REPLACES_FORMS =
  '"replaces" is true (the consultation call), a call id of this run ("call-…"), or another dialog as ' +
  'CALL-ID;to-tag=TAG;from-tag=TAG (RFC 3891 §6.1) with a "target"';

function transfer(target: unknown, replaces: unknown): ControlLine {
  const consultation = readConsultation(replaces);
  if (consultation !== undefined) {
    // The target is the consultation call's far end: a second one could only disagree with it.
    if (target !== undefined)
      return failure(
        'unknown-field',
        'target',
        'a transfer to a consultation call goes to its far end: no "target"',
      );
    return { kind: 'control', control: { cmd: 'transfer', target: null, replaces: consultation } };
  }
  if (target === undefined)
    return failure('missing-field', 'target', '"transfer" needs "target", a sip: or sips: URI');
  if (!isTargetText(target))
    return failure('invalid-field', 'target', '"target" must be a sip: or sips: URI');
  if (replaces === undefined || replaces === null || replaces === false)
    return { kind: 'control', control: { cmd: 'transfer', target: target.trim(), replaces: null } };
  if (typeof replaces !== 'string' || !isReplaces(replaces))
    return failure('invalid-field', 'replaces', REPLACES_FORMS);
  return {
    kind: 'control',
    control: { cmd: 'transfer', target: target.trim(), replaces: { kind: 'dialog', value: replaces.trim() } },
  };
}

/** `true` or a call id of this run; undefined for anything else (blind, a dialog id, or a bad value). */
function readConsultation(replaces: unknown): TransferReplaces | undefined {
  if (replaces === true) return { kind: 'consultation', callId: null };
  if (typeof replaces === 'string' && CALL_ID_PATTERN.test(replaces.trim()))
    return { kind: 'consultation', callId: replaces.trim() };
  return undefined;
}

function consult(target: unknown): ControlLine {
  if (target === undefined)
    return failure('missing-field', 'target', '"call" needs "target", the sip: or sips: URI to consult');
  if (!isTargetText(target))
    return failure('invalid-field', 'target', '"target" must be a sip: or sips: URI');
  return { kind: 'control', control: { cmd: 'call', target: target.trim() } };
}

function isTargetText(target: unknown): target is string {
  return typeof target === 'string' && target.length <= SIP_URI_MAX && isSipTarget(target);
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
