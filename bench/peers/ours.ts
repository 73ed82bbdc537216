// Peer: this project's parser, loaded only if it exists yet, so the benchmark runs before and after it lands.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ParsePeer, UaFields } from './peer';

const messageDir = join(import.meta.dirname, '..', '..', 'main', 'sip', 'message');
const parseModule = join(messageDir, 'parse.ts');
const uriModule = join(messageDir, 'uri.ts');

// The shape the benchmark relies on, declared here because the module may not exist when this file is type-checked.
interface OursMessage {
  /** The top Via alone, parsed on demand: what a UA reads (lower Vias are only copied into responses). */
  readonly topVia: { readonly branch?: string | null } | undefined;
  readonly from: { readonly tag?: string | null } | undefined;
  readonly to: { readonly tag?: string | null } | undefined;
  readonly callId: string | undefined;
  readonly cseq: { readonly seq: number; readonly method: string } | undefined;
  readonly contact: readonly { readonly uri: unknown }[] | undefined;
}

type OursResult =
  | { readonly ok: true; readonly message: OursMessage }
  | { readonly ok: false; readonly error: { readonly reason: string; readonly status: number } };

type OursParse = (data: Uint8Array | string) => OursResult;
type OursFormatUri = (uri: unknown) => string;

export type OursLoad =
  { readonly ok: true; readonly peer: ParsePeer } | { readonly ok: false; readonly reason: string };

function peerFor(parseMessage: OursParse, formatUri: OursFormatUri | undefined): ParsePeer {
  return {
    ...(formatUri === undefined ? {} : { uriText: formatUri }),
    label: 'ours (main/sip/message)',
    notes: [
      'ours: `parseMessage(buffer)` with default options, as the packet path calls it; it takes the Buffer as bytes, so no conversion is added.',
    ],
    parse(data: Buffer): unknown {
      const result = parseMessage(data);
      return result.ok ? result.message : undefined;
    },
    parseAndRead(data: Buffer, out: UaFields): boolean {
      const result = parseMessage(data);
      if (!result.ok) return false;
      const message = result.message;
      out.branch = message.topVia?.branch;
      out.fromTag = message.from?.tag;
      out.toTag = message.to?.tag;
      out.callId = message.callId;
      out.cseq = message.cseq?.seq;
      out.method = message.cseq?.method;
      out.contactUri = message.contact?.[0]?.uri;
      return true;
    },
  };
}

export async function loadOurs(): Promise<OursLoad> {
  if (!existsSync(parseModule)) {
    return { ok: false, reason: 'main/sip/message/parse.ts does not exist yet' };
  }
  let loaded: unknown;
  try {
    loaded = await import(pathToFileURL(parseModule).href);
  } catch (error) {
    return { ok: false, reason: `main/sip/message/parse.ts failed to load: ${String(error)}` };
  }
  if (
    typeof loaded !== 'object' ||
    loaded === null ||
    !('parseMessage' in loaded) ||
    typeof loaded.parseMessage !== 'function'
  ) {
    return { ok: false, reason: 'main/sip/message/parse.ts does not export a parseMessage function' };
  }
  return { ok: true, peer: peerFor(loaded.parseMessage as OursParse, await loadFormatUri()) };
}

/** The URI serialiser, used only to compare Contact URIs with the other parsers before timing. */
async function loadFormatUri(): Promise<OursFormatUri | undefined> {
  if (!existsSync(uriModule)) return undefined;
  const loaded: unknown = await import(pathToFileURL(uriModule).href).catch(() => undefined);
  if (typeof loaded !== 'object' || loaded === null || !('formatUri' in loaded)) return undefined;
  return typeof loaded.formatUri === 'function' ? (loaded.formatUri as OursFormatUri) : undefined;
}
