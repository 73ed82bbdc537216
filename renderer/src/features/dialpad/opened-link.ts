// A sip:, sips: or tel: link handed over by the system (a click in another app, `?dial=` on the web host) as the
// text the dialpad is filled with — never a call by itself: the person still presses Call. A tel: number keeps its
// digits, `+`, `*` and `#`, and loses the visual separators and parameters (RFC 3966 §5.1.1); a SIP URI loses its
// headers (`?Subject=…`, RFC 3261 §19.1.5: they would become headers of our INVITE) and must pass the same URI
// grammar as the form. Anything else becomes a notice that says why the link was not used.
import { SIP_URI_MAX } from '../../../../main/contract/limits';
import { cleanPeerText } from '../../../../main/contract/peer-text';
import { checkSipUri } from '../../lib/sip-uri-check';

export type OpenedLink =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly notice: string };

/** RFC 3966 visual separators: `-`, `.`, `(`, `)`, and spaces people paste. */
const VISUAL_SEPARATORS = /[\s().-]/gu;
const PHONE_NUMBER = /^\+?[0-9*#]{1,64}$/u;

/** How much of a refused link a notice repeats: enough to recognise it, text only. */
const NOTICE_LINK_MAX = 60;

export function openedLink(link: string): OpenedLink {
  const shown = cleanPeerText(link, NOTICE_LINK_MAX);
  const refuse = (why: string): OpenedLink => ({
    ok: false,
    notice: `The link “${shown}” was not opened: ${why}`,
  });
  if (link.length > SIP_URI_MAX) return refuse(`it is longer than ${SIP_URI_MAX} characters.`);
  const text = link.trim();
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/u.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'tel') {
    let number: string;
    try {
      number = decodeURIComponent(text.slice(4).split(';')[0] ?? '').replace(VISUAL_SEPARATORS, '');
    } catch {
      return refuse('it is not a phone number.');
    }
    return PHONE_NUMBER.test(number) ? { ok: true, text: number } : refuse('it is not a phone number.');
  }
  if (scheme === 'sip' || scheme === 'sips') {
    const uri = text.split('?')[0] ?? '';
    const problem = checkSipUri(uri, { requireUser: false });
    return problem === null ? { ok: true, text: uri } : refuse(problem);
  }
  return refuse('only sip: and tel: links open in the dialpad.');
}
