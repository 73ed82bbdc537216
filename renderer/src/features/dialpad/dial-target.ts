// What the dialpad's text becomes when the person presses Call. A phone number or a bare user name is called at the
// chosen account's domain (`0301234` → `sip:0301234@example.com`); `user@host` and `tel:` get their scheme; a full
// `sip:`/`sips:` URI is checked by the same grammar the account form uses. The engine checks again.
import { SIP_URI_MAX } from '../../../../main/contract/limits';
import { checkSipUri } from '../../lib/sip-uri-check';

export type DialTarget =
  { readonly ok: true; readonly uri: string } | { readonly ok: false; readonly problem: string };

/** Visual separators people type or paste inside numbers: "+49 (30) 123-45.67". */
const NUMBER_SEPARATORS = /[\s().-]/gu;
const NUMBER = /^\+?[0-9*#]+$/u;
/** A bare user name (RFC 3261 unreserved characters), called at the account's domain like a number. */
const USER_NAME = /^[A-Za-z0-9_.!~*'()-]+$/u;

/** The `host[:port]` of an account's address of record (`sip:alice@example.com:5070` → `example.com:5070`). */
export function accountDomain(aor: string): string | null {
  const at = aor.indexOf('@');
  if (at < 0) return null;
  const host = aor.slice(at + 1).split(/[;?]/u)[0] ?? '';
  return host === '' ? null : host;
}

/** The dialpad's text as a SIP URI to call, or the sentence that says what to fix. */
export function dialTarget(input: string, domain: string | null): DialTarget {
  const text = input.trim();
  if (text === '') return { ok: false, problem: 'Type a number or a SIP address.' };
  if (text.length > SIP_URI_MAX)
    return { ok: false, problem: `That is longer than ${SIP_URI_MAX} characters.` };

  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/u.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'tel') return atDomain(text.slice(4).split(';')[0] ?? '', domain);
  if (scheme === 'sip' || scheme === 'sips') return checked(text);

  const compact = text.replace(NUMBER_SEPARATORS, '');
  if (NUMBER.test(compact)) return atDomain(compact, domain);
  if (text.includes('@')) return checked(`sip:${text}`);
  if (USER_NAME.test(text)) return atDomain(text, domain);
  return checked(`sip:${text}`);
}

function atDomain(user: string, domain: string | null): DialTarget {
  const compact = user.replace(NUMBER_SEPARATORS, '');
  if (compact === '') return { ok: false, problem: 'Type a number or a SIP address.' };
  if (domain === null) {
    return {
      ok: false,
      problem: 'Choose an account to call a number, or type a full address such as sip:bob@example.com.',
    };
  }
  // '#' is not allowed as such in a user part (RFC 3261 §25.1): it travels escaped.
  return checked(`sip:${compact.replaceAll('#', '%23')}@${domain}`);
}

function checked(uri: string): DialTarget {
  const problem = checkSipUri(uri, { requireUser: false });
  return problem === null ? { ok: true, uri } : { ok: false, problem };
}
