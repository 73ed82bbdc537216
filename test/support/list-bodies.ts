// RFC 4662 list NOTIFY bodies for tests: an RLMI root and one PIDF part per active resource, in a multipart/related
// as a list server sends them (RFC 4662 §5, RFC 2387), and small PIDF documents to put in them.
export interface ListResourceSpec {
  readonly uri: string;
  readonly name?: string;
  readonly state?: 'active' | 'pending' | 'terminated';
  readonly reason?: string;
  /** The resource's PIDF; without one an active instance has no part. */
  readonly pidf?: string;
}

export interface ListBodySpec {
  readonly uri?: string;
  readonly version: number;
  readonly fullState: boolean;
  readonly resources: readonly ListResourceSpec[];
  readonly boundary?: string;
  /** Line end: CRLF by default. */
  readonly eol?: string;
}

export interface ListBody {
  readonly body: string;
  readonly contentType: string;
}

export function pidfOf(entity: string, basic: 'open' | 'closed', activity?: string, note?: string): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="${entity}">`,
    `<tuple id="t1"><status><basic>${basic}</basic></status></tuple>`,
    `<dm:person id="p1">${activity ? `<rpid:activities><rpid:${activity}/></rpid:activities>` : ''}${note ? `<dm:note>${note}</dm:note>` : ''}</dm:person>`,
    '</presence>',
  ].join('\n');
}

export function listBody(spec: ListBodySpec): ListBody {
  const eol = spec.eol ?? '\r\n';
  const boundary = spec.boundary ?? 'b0undary-x1';
  const listUri = spec.uri ?? 'sip:friends@example.test';
  const rlmi = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<list xmlns="urn:ietf:params:xml:ns:rlmi" uri="${listUri}" version="${spec.version}" fullState="${spec.fullState}">`,
    '<name xml:lang="en">Friends</name>',
    ...spec.resources.map((resource, index) => {
      const state = resource.state ?? 'active';
      const cid = resource.pidf !== undefined ? ` cid="r${index}@example.test"` : '';
      const reason = resource.reason !== undefined ? ` reason="${resource.reason}"` : '';
      const name = resource.name !== undefined ? `<name>${resource.name}</name>` : '';
      return `<resource uri="${resource.uri}">${name}<instance id="i${index}" state="${state}"${reason}${cid}/></resource>`;
    }),
    '</list>',
  ].join(eol);
  const parts = [
    [
      `Content-Transfer-Encoding: binary`,
      `Content-ID: <root@example.test>`,
      `Content-Type: application/rlmi+xml;charset="UTF-8"`,
      '',
      rlmi,
    ],
    ...spec.resources.flatMap((resource, index) =>
      resource.pidf === undefined
        ? []
        : [
            [
              'Content-Transfer-Encoding: binary',
              `Content-ID: <r${index}@example.test>`,
              'Content-Type: application/pidf+xml;charset="UTF-8"',
              '',
              resource.pidf,
            ],
          ],
    ),
  ];
  const body = `${parts.map((lines) => `--${boundary}${eol}${lines.join(eol)}${eol}`).join('')}--${boundary}--${eol}`;
  return {
    body,
    contentType: `multipart/related;type="application/rlmi+xml";start="<root@example.test>";boundary="${boundary}"`,
  };
}
