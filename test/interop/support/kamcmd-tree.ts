// Parser for kamcmd's pretty-printed RPC replies (`Key: value` lines and `Key: {` ... `}` blocks), and the
// usrloc `ul.dump` reply turned into bindings. Keys repeat inside a block (one `Contact:` per binding), so a
// block is an ordered list of entries rather than a map.

export type KamcmdValue = string | KamcmdEntry[];

export interface KamcmdEntry {
  readonly key: string;
  readonly value: KamcmdValue;
}

export function parseKamcmdTree(text: string): KamcmdEntry[] {
  const root: KamcmdEntry[] = [];
  const stack: KamcmdEntry[][] = [root];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line === '{') continue;
    const current = stack[stack.length - 1]!;
    if (line === '}') {
      if (stack.length > 1) stack.pop();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 0) {
      current.push({ key: '', value: line });
      continue;
    }
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (value === '{') {
      const block: KamcmdEntry[] = [];
      current.push({ key, value: block });
      stack.push(block);
    } else {
      current.push({ key, value });
    }
  }
  return root;
}

/** All blocks named `key` directly inside `entries`. */
export function blocks(entries: readonly KamcmdEntry[], key: string): KamcmdEntry[][] {
  return entries
    .filter((e) => e.key === key && typeof e.value !== 'string')
    .map((e) => e.value as KamcmdEntry[]);
}

/** The first scalar named `key` directly inside `entries`. */
export function scalar(entries: readonly KamcmdEntry[], key: string): string | undefined {
  const found = entries.find((e) => e.key === key && typeof e.value === 'string');
  return found?.value as string | undefined;
}

export interface Binding {
  /** Address-of-record as usrloc stores it: the user part only (usrloc runs with use_domain=0). */
  readonly aor: string;
  /** The registered Contact URI. */
  readonly contact: string;
  /** Seconds left; null when usrloc reports the binding as permanent, expired or deleted (see `expiresText`). */
  readonly expires: number | null;
  readonly expiresText: string;
  /** q-value, or null when the Contact had none (usrloc prints -1). */
  readonly q: number | null;
  readonly callId: string;
  readonly cseq: number;
  readonly userAgent: string | null;
  readonly received: string | null;
  readonly path: string | null;
  /** Kamailio's receiving socket, e.g. `udp:127.0.0.1:5070`. */
  readonly socket: string;
  /** +sip.instance (RFC 5626), or null. */
  readonly instance: string | null;
  readonly regId: number;
  /** Every field as usrloc printed it. */
  readonly fields: Readonly<Record<string, string>>;
}

function orNull(value: string | undefined): string | null {
  return value === undefined || value === '[not set]' ? null : value;
}

/** Bindings from the output of `kamcmd ul.dump`. */
export function parseUlDump(text: string): Binding[] {
  const bindings: Binding[] = [];
  for (const domains of blocks(parseKamcmdTree(text), 'Domains')) {
    for (const domain of blocks(domains, 'Domain')) {
      for (const aors of blocks(domain, 'AoRs')) {
        for (const info of blocks(aors, 'Info')) {
          const aor = scalar(info, 'AoR') ?? '';
          for (const contacts of blocks(info, 'Contacts')) {
            for (const contact of blocks(contacts, 'Contact')) {
              const fields: Record<string, string> = {};
              for (const entry of contact) {
                if (typeof entry.value === 'string') fields[entry.key] = entry.value;
              }
              const expiresText = fields.Expires ?? '';
              const q = Number(fields.Q ?? '-1');
              bindings.push({
                aor,
                contact: fields.Address ?? '',
                expires: /^\d+$/.test(expiresText) ? Number(expiresText) : null,
                expiresText,
                q: q < 0 ? null : q,
                callId: fields['Call-ID'] ?? '',
                cseq: Number(fields.CSeq ?? '0'),
                userAgent: orNull(fields['User-Agent']),
                received: orNull(fields.Received),
                path: orNull(fields.Path),
                socket: fields.Socket ?? '',
                instance: orNull(fields.Instance),
                regId: Number(fields['Reg-Id'] ?? '0'),
                fields,
              });
            }
          }
        }
      }
    }
  }
  return bindings;
}
