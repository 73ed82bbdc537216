// RFC 3858: the watcher-information document a `presence.winfo` subscription (RFC 3857) delivers — who watches a
// resource and in what state (pending, active, waiting, terminated, §4.2). `version` orders documents and `state`
// says whether this one is the full list or a partial update (§4.1); applying partial updates to a full list is the
// watcher's job (who-watches-me), this file only reads the document.
import { type Result, err, ok } from '../sip/message/result';
import {
  type XmlError,
  type XmlLimits,
  DEFAULT_XML_LIMITS,
  attributeOf,
  childrenOf,
  parseXml,
} from './xml-document';

export const WATCHERINFO_NAMESPACE = 'urn:ietf:params:xml:ns:watcherinfo';
export const WATCHERINFO_CONTENT_TYPE = 'application/watcherinfo+xml';

export type WatcherStatus = 'pending' | 'active' | 'waiting' | 'terminated';

export interface Watcher {
  readonly id: string;
  /** The watcher's URI, the element's text. */
  readonly uri: string;
  readonly status: WatcherStatus;
  /** What moved it into this status (§4.3): subscribe, approved, deactivated, probation, rejected, timeout... */
  readonly event: string;
  readonly displayName?: string;
  readonly durationSubscribed?: number;
}

export interface WatcherList {
  /** The watched resource, e.g. `sip:bob@example.com`. */
  readonly resource: string;
  /** The event package watched, e.g. `presence`. */
  readonly package: string;
  readonly watchers: readonly Watcher[];
}

export interface WatcherInfo {
  readonly version: number;
  readonly state: 'full' | 'partial';
  readonly lists: readonly WatcherList[];
}

export interface WatcherInfoError {
  readonly code: XmlError['code'] | 'not-watcherinfo';
  readonly message: string;
}

const STATUSES: readonly string[] = ['pending', 'active', 'waiting', 'terminated'];

export function parseWatcherInfo(
  body: Uint8Array | string,
  limits: XmlLimits = DEFAULT_XML_LIMITS,
): Result<WatcherInfo, WatcherInfoError> {
  const xml = parseXml(body, limits);
  if (!xml.ok) return err(xml.error);
  const root = xml.value;
  if (root.ns !== WATCHERINFO_NAMESPACE || root.name !== 'watcherinfo')
    return err(notWinfo(`the root is {${root.ns}}${root.name}, not <watcherinfo>`));
  const versionText = attributeOf(root, 'version');
  const state = attributeOf(root, 'state');
  if (versionText === undefined || !/^\d{1,10}$/.test(versionText.trim()))
    return err(notWinfo('<watcherinfo> has no usable version (RFC 3858 §4.1)'));
  if (state !== 'full' && state !== 'partial')
    return err(notWinfo('<watcherinfo> state is neither full nor partial'));
  const lists: WatcherList[] = [];
  for (const list of childrenOf(root, WATCHERINFO_NAMESPACE, 'watcher-list')) {
    const watchers: Watcher[] = [];
    for (const watcher of childrenOf(list, WATCHERINFO_NAMESPACE, 'watcher')) {
      const status = attributeOf(watcher, 'status');
      const id = attributeOf(watcher, 'id');
      const event = attributeOf(watcher, 'event');
      const uri = watcher.text.trim();
      // §4.2 makes id, status and event mandatory; a watcher without them is skipped, not the whole document.
      if (
        status === undefined ||
        !STATUSES.includes(status) ||
        id === undefined ||
        event === undefined ||
        uri === ''
      )
        continue;
      const displayName = attributeOf(watcher, 'display-name');
      const duration = attributeOf(watcher, 'duration-subscribed');
      watchers.push({
        id,
        uri,
        status: status as WatcherStatus,
        event,
        ...(displayName !== undefined ? { displayName } : {}),
        ...(duration !== undefined && /^\d{1,10}$/.test(duration)
          ? { durationSubscribed: Number(duration) }
          : {}),
      });
    }
    lists.push({
      resource: attributeOf(list, 'resource') ?? '',
      package: attributeOf(list, 'package') ?? '',
      watchers,
    });
  }
  return ok({ version: Number(versionText.trim()), state, lists });
}

function notWinfo(message: string): WatcherInfoError {
  return { code: 'not-watcherinfo', message };
}
