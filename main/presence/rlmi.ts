// RFC 4662 §5: the Resource List Meta-Information document (`application/rlmi+xml`) that is the root of a list
// NOTIFY, and the whole NOTIFY body read as a list: the RLMI plus, for each resource instance with a `cid`, the part
// of the multipart/related body that carries its state (RFC 2387, multipart.ts). A part that is itself a list (a
// multipart/related with an RLMI root, §5.4) becomes a nested list, within the multipart nesting limit.
//
//   <list uri version fullState>          version: counts NOTIFYs of this subscription (§5.2); fullState: the list
//     <name xml:lang>…</name>*            is complete (true) or only what changed (false)
//     <resource uri>
//       <name>…</name>*
//       <instance id state [reason] [cid]/>*     state: active | pending | terminated (§5.2)
//     </resource>*
//   </list>
//
// The XML goes through parseXml like every presence body, with room for a list of a couple of thousand resources.
import { type Result, err, ok } from '../sip/message/result';
import type { MediaType } from '../sip/message/typed-headers';
import { parseContentType } from '../sip/message/typed-headers';
import {
  type BodyPart,
  type Multipart,
  type MultipartError,
  type MultipartLimits,
  DEFAULT_MULTIPART_LIMITS,
  parseMultipart,
} from './multipart';
import {
  type XmlElement,
  type XmlError,
  type XmlLimits,
  DEFAULT_XML_LIMITS,
  attributeOf,
  childrenOf,
  parseXml,
} from './xml-document';

export const RLMI_NAMESPACE = 'urn:ietf:params:xml:ns:rlmi';
export const RLMI_CONTENT_TYPE = 'application/rlmi+xml';
export const MULTIPART_RELATED = 'multipart/related';

/** An RLMI for 2,000 resources with names and instances is a few hundred KiB and about 8,000 elements. */
export const RLMI_XML_LIMITS: XmlLimits = {
  ...DEFAULT_XML_LIMITS,
  maxBytes: 1024 * 1024,
  maxElements: 10_000,
  maxTextLength: 512 * 1024,
};

/** Names and instances kept per resource: more is a server's error or a trick, not information. */
const MAX_NAMES = 8;
const MAX_INSTANCES = 16;
const MAX_NAME_LENGTH = 256;

export type InstanceState = 'active' | 'pending' | 'terminated';

export interface ResourceInstance {
  readonly id: string;
  readonly state: InstanceState;
  /** Why a terminated instance ended (§5.2: the Subscription-State reasons of RFC 6665). */
  readonly reason?: string;
  /** The Content-ID of the part holding this instance's state. */
  readonly cid?: string;
}

export interface ListName {
  readonly text: string;
  readonly lang?: string;
}

export interface ListResource {
  readonly uri: string;
  readonly names: readonly ListName[];
  readonly instances: readonly ResourceInstance[];
}

export interface RlmiDocument {
  readonly uri: string;
  readonly version: number;
  readonly fullState: boolean;
  readonly names: readonly ListName[];
  readonly resources: readonly ListResource[];
}

export type ResourceListErrorCode = XmlError['code'] | MultipartError['code'] | 'not-rlmi' | 'no-root';

export interface ResourceListError {
  readonly code: ResourceListErrorCode;
  readonly message: string;
}

/** Parses an RLMI document (§5.2); the `list` element and its `uri`, `version` and `fullState` are required. */
export function parseRlmi(
  body: Uint8Array | string,
  limits: XmlLimits = RLMI_XML_LIMITS,
): Result<RlmiDocument, ResourceListError> {
  const xml = parseXml(body, limits);
  if (!xml.ok) return err(xml.error);
  const root = xml.value;
  if (root.ns !== RLMI_NAMESPACE || root.name !== 'list')
    return err({
      code: 'not-rlmi',
      message: `the root is {${root.ns.slice(0, 80)}}${root.name}, not an RLMI <list>`,
    });
  const uri = attributeOf(root, 'uri')?.trim();
  const versionText = attributeOf(root, 'version')?.trim();
  const fullStateText = attributeOf(root, 'fullState')?.trim();
  if (!uri) return err({ code: 'not-rlmi', message: '<list> has no uri (RFC 4662 §5.2)' });
  // xs:unsignedInt: digits only, at most 2^32-1.
  const version = versionText !== undefined && /^\d{1,10}$/.test(versionText) ? Number(versionText) : NaN;
  if (!Number.isInteger(version) || version > 0xffff_ffff)
    return err({ code: 'not-rlmi', message: '<list> has no usable version (RFC 4662 §5.2)' });
  if (fullStateText === undefined || !/^(true|false|1|0)$/.test(fullStateText))
    return err({ code: 'not-rlmi', message: '<list> has no usable fullState (RFC 4662 §5.2)' });
  return ok({
    uri,
    version,
    fullState: fullStateText === 'true' || fullStateText === '1',
    names: readNames(root),
    resources: childrenOf(root, RLMI_NAMESPACE, 'resource').flatMap((element) => {
      const resource = readResource(element);
      return resource ? [resource] : [];
    }),
  });
}

function readResource(element: XmlElement): ListResource | undefined {
  const uri = attributeOf(element, 'uri')?.trim();
  if (!uri) return undefined;
  const instances: ResourceInstance[] = [];
  for (const instance of childrenOf(element, RLMI_NAMESPACE, 'instance').slice(0, MAX_INSTANCES)) {
    const id = attributeOf(instance, 'id')?.trim();
    const state = attributeOf(instance, 'state')?.trim().toLowerCase();
    if (!id || (state !== 'active' && state !== 'pending' && state !== 'terminated')) continue;
    const reason = attributeOf(instance, 'reason')?.trim().toLowerCase();
    const cid = attributeOf(instance, 'cid')?.trim();
    instances.push({
      id,
      state,
      ...(reason ? { reason: reason.slice(0, 64) } : {}),
      ...(cid ? { cid } : {}),
    });
  }
  return { uri, names: readNames(element), instances };
}

function readNames(element: XmlElement): ListName[] {
  return childrenOf(element, RLMI_NAMESPACE, 'name')
    .slice(0, MAX_NAMES)
    .map((name) => ({
      text: name.text.trim().slice(0, MAX_NAME_LENGTH),
      ...(name.lang !== undefined ? { lang: name.lang } : {}),
    }))
    .filter((name) => name.text !== '');
}

/** What an instance's `cid` points at: a resource document, or a nested list. */
export type InstanceContent =
  | { readonly kind: 'document'; readonly contentType: MediaType; readonly body: Uint8Array }
  | { readonly kind: 'list'; readonly list: ResourceListBody };

export interface ResolvedInstance extends ResourceInstance {
  /** The part the cid names; absent when there is none (pending, terminated, or a part the server left out). */
  readonly content?: InstanceContent;
}

export interface ResolvedResource extends Omit<ListResource, 'instances'> {
  readonly instances: readonly ResolvedInstance[];
}

export interface ResourceListBody extends Omit<RlmiDocument, 'resources'> {
  readonly resources: readonly ResolvedResource[];
}

/**
 * A list NOTIFY's body (§5): `multipart/related` with an RLMI root and the resources' parts, or a bare RLMI (a
 * list whose instances carry no state yet). `contentType` is the NOTIFY's Content-Type header.
 */
export function parseResourceListBody(
  body: Uint8Array,
  contentType: string,
  limits: { readonly multipart?: MultipartLimits; readonly xml?: XmlLimits } = {},
): Result<ResourceListBody, ResourceListError> {
  const type = parseContentType(contentType);
  if (type?.type === RLMI_CONTENT_TYPE) {
    const rlmi = parseRlmi(body, limits.xml);
    if (!rlmi.ok) return rlmi;
    return ok({
      ...rlmi.value,
      resources: rlmi.value.resources.map((r) => ({ ...r, instances: r.instances })),
    });
  }
  const multipart = parseMultipart(body, contentType, limits.multipart ?? DEFAULT_MULTIPART_LIMITS);
  if (!multipart.ok) return multipart;
  return resolveList(multipart.value, limits.xml ?? RLMI_XML_LIMITS);
}

function resolveList(
  multipart: Multipart,
  xmlLimits: XmlLimits,
): Result<ResourceListBody, ResourceListError> {
  if (multipart.contentType.type !== MULTIPART_RELATED)
    return err({
      code: 'not-multipart',
      message: `a list is sent as multipart/related, not ${multipart.contentType.type}`,
    });
  const root = rootPart(multipart);
  if (!root || root.contentType.type !== RLMI_CONTENT_TYPE)
    return err({ code: 'no-root', message: 'the multipart/related has no RLMI root part (RFC 4662 §5)' });
  const rlmi = parseRlmi(root.body, xmlLimits);
  if (!rlmi.ok) return rlmi;
  const byId = new Map<string, BodyPart>();
  for (const part of multipart.parts)
    if (part.contentId !== undefined && part !== root && !byId.has(part.contentId))
      byId.set(part.contentId, part);
  const resources: ResolvedResource[] = [];
  for (const resource of rlmi.value.resources) {
    const instances: ResolvedInstance[] = [];
    for (const instance of resource.instances) {
      const part = instance.cid !== undefined ? byId.get(instance.cid) : undefined;
      if (!part) {
        instances.push(instance);
        continue;
      }
      if (part.multipart) {
        const nested = resolveList(part.multipart, xmlLimits);
        if (!nested.ok) return nested;
        instances.push({ ...instance, content: { kind: 'list', list: nested.value } });
      } else {
        instances.push({
          ...instance,
          content: { kind: 'document', contentType: part.contentType, body: part.body },
        });
      }
    }
    resources.push({ ...resource, instances });
  }
  return ok({ ...rlmi.value, resources });
}

/** RFC 2387 §3.2: the part named by `start`, else the first. */
function rootPart(multipart: Multipart): BodyPart | undefined {
  if (multipart.start !== undefined)
    return multipart.parts.find((part) => part.contentId === multipart.start);
  return multipart.parts[0];
}
