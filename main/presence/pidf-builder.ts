// Our own presence document for PUBLISH (RFC 3903) and for answering watchers: a PIDF (RFC 3863) with one tuple for
// this device (basic open/closed, our contact, the note, a timestamp) and one RPID person (RFC 4479 §3.1, RFC 4480
// §3.2) carrying the activity. The statuses a person picks map onto PIDF/RPID like this:
//
//   available   open,   no activity
//   away        open,   <rpid:away/>
//   busy        open,   <rpid:busy/>
//   dnd         open,   <rpid:busy/> and <rpid:other>do-not-disturb</rpid:other> (RPID has no DND of its own; a
//                       watcher that does not know ours still sees busy)
//   offline     closed, no activity and no note ("appear offline" tells nothing)
//
// and one status the engine sets by itself during a call when the person chose available:
//
//   on-the-phone  open, <rpid:on-the-phone/> (RFC 4480 §3.2)
//
// Text is escaped for XML, characters XML 1.0 cannot carry (§2.2: most C0 controls, lone surrogates, U+FFFE/U+FFFF)
// are dropped, and the note is kept to MAX_NOTE_LENGTH characters.
import { DATA_MODEL_NAMESPACE, MAX_NOTE_LENGTH, PIDF_NAMESPACE, RPID_NAMESPACE } from './pidf';

export const OWN_STATUSES = ['available', 'away', 'busy', 'dnd', 'offline'] as const;
export type OwnStatus = (typeof OWN_STATUSES)[number];
/** What we publish: a chosen status, or `on-the-phone` which the engine puts in place of available during calls. */
export type PublishedStatus = OwnStatus | 'on-the-phone';

export interface OwnPresence {
  /** Our address-of-record, e.g. `sip:alice@example.com` (RFC 3863 §4.1.1 allows a sip URI as entity). */
  readonly entity: string;
  readonly status: PublishedStatus;
  readonly note?: string;
  /** xml:lang of the note, when known. */
  readonly noteLang?: string;
  /** Where to reach this device (RFC 3863 §4.1.4). */
  readonly contact?: string;
  /** When this status was set, in milliseconds since the epoch. */
  readonly timestamp: number;
  /** Stable ids for the tuple and person, so each publication modifies the same elements (RFC 3863 §4.1.2). */
  readonly tupleId: string;
  readonly personId: string;
}

export function buildPidf(presence: OwnPresence): string {
  const offline = presence.status === 'offline';
  const note = offline
    ? ''
    : xmlSafe(presence.note ?? '')
        .slice(0, MAX_NOTE_LENGTH)
        .trim();
  const lang =
    presence.noteLang !== undefined && /^[A-Za-z0-9-]{1,35}$/.test(presence.noteLang)
      ? ` xml:lang="${presence.noteLang}"`
      : '';
  const noteXml = (element: string): string =>
    note === '' ? '' : `<${element}${lang}>${escapeXml(note)}</${element}>`;
  const timestamp = new Date(presence.timestamp).toISOString();
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<presence xmlns="${PIDF_NAMESPACE}" xmlns:dm="${DATA_MODEL_NAMESPACE}" xmlns:rpid="${RPID_NAMESPACE}" entity="${escapeXml(xmlSafe(presence.entity))}">`,
    `<tuple id="${escapeXml(presence.tupleId)}">`,
    `<status><basic>${offline ? 'closed' : 'open'}</basic></status>`,
    ...(presence.contact !== undefined && !offline
      ? [`<contact>${escapeXml(xmlSafe(presence.contact))}</contact>`]
      : []),
    ...(note === '' ? [] : [noteXml('note')]),
    `<timestamp>${timestamp}</timestamp>`,
    '</tuple>',
    `<dm:person id="${escapeXml(presence.personId)}">`,
    ...activitiesXml(presence.status),
    ...(note === '' ? [] : [noteXml('dm:note')]),
    `<dm:timestamp>${timestamp}</dm:timestamp>`,
    '</dm:person>',
    '</presence>',
  ];
  return `${lines.join('\n')}\n`;
}

function activitiesXml(status: PublishedStatus): string[] {
  switch (status) {
    case 'away':
      return ['<rpid:activities><rpid:away/></rpid:activities>'];
    case 'busy':
      return ['<rpid:activities><rpid:busy/></rpid:activities>'];
    case 'dnd':
      return ['<rpid:activities><rpid:busy/><rpid:other>do-not-disturb</rpid:other></rpid:activities>'];
    case 'on-the-phone':
      return ['<rpid:activities><rpid:on-the-phone/></rpid:activities>'];
    case 'available':
    case 'offline':
      return [];
  }
}

/** The five characters with a meaning in XML text and attribute values, as references. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Drops what XML 1.0 cannot carry (§2.2 Char): C0 controls but tab, LF and CR; lone surrogates; U+FFFE and U+FFFF. */
export function xmlSafe(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += text.slice(i, i + 2);
        i++;
      }
      continue;
    }
    const control = code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d;
    const lone = code >= 0xdc00 && code <= 0xdfff;
    if (control || lone || code === 0xfffe || code === 0xffff) continue;
    out += text[i];
  }
  return out;
}
