// The one way a presence body becomes XML: saxes (strict XML 1.0 with namespaces, which expands no DTD entities) run
// under limits a stranger cannot talk us past. A NOTIFY's body is hostile input: RFC 3863 §7 and RFC 3858 §7 ask us
// to treat it so, and the classic attacks on XML parsers — entity expansion ("billion laughs"), external entities,
// deep nesting, giant attributes, invalid UTF-8 — must end as a Result error, never as a throw, a hang or a heap the
// size of the sender's wishes. A DOCTYPE is refused outright: PIDF and watcher-info never need one, and refusing it
// closes the door on every entity trick at once. The output is a small tree of elements keyed by namespace URI.
import { SaxesParser } from 'saxes';
import { type Result, err, ok } from '../sip/message/result';

/** The namespace of `xml:lang` (XML 1.0 §2.12, Namespaces in XML §3). */
export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

export interface XmlAttribute {
  /** Namespace URI; '' for an unprefixed attribute (which is in no namespace, Namespaces in XML §6.2). */
  readonly ns: string;
  readonly name: string;
  readonly value: string;
}

export interface XmlElement {
  /** Namespace URI of the element; '' when it has none. */
  readonly ns: string;
  /** Local name, without prefix. */
  readonly name: string;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlElement[];
  /** The element's own character data (text and CDATA directly inside it, children's excluded). */
  readonly text: string;
  /** The xml:lang in force here, inherited from ancestors; undefined when none was given. */
  readonly lang?: string;
}

export interface XmlLimits {
  readonly maxBytes: number;
  readonly maxDepth: number;
  readonly maxElements: number;
  /** Attributes on one element. */
  readonly maxAttributes: number;
  /** Characters in one attribute value. */
  readonly maxAttributeLength: number;
  /** Characters of text in the whole document. */
  readonly maxTextLength: number;
}

/**
 * Generous for presence: Kamailio's aggregated PIDF for a buddy with a dozen devices is a few kilobytes; these let a
 * document fifty times that through and stop anything bigger before it costs more than a fraction of a millisecond.
 */
export const DEFAULT_XML_LIMITS: XmlLimits = {
  maxBytes: 256 * 1024,
  maxDepth: 32,
  maxElements: 5_000,
  maxAttributes: 32,
  maxAttributeLength: 4_096,
  maxTextLength: 128 * 1024,
};

export type XmlErrorCode =
  | 'too-large'
  | 'invalid-utf8'
  | 'doctype'
  | 'too-deep'
  | 'too-many-elements'
  | 'too-many-attributes'
  | 'attribute-too-long'
  | 'text-too-long'
  | 'malformed';

export interface XmlError {
  readonly code: XmlErrorCode;
  readonly message: string;
}

/** Thrown inside saxes' callbacks to stop it at the first breach; never escapes parseXml. */
class Stop extends Error {
  constructor(readonly error: XmlError) {
    super(error.message);
  }
}

interface OpenElement {
  readonly ns: string;
  readonly name: string;
  readonly attributes: XmlAttribute[];
  readonly children: XmlElement[];
  text: string;
  readonly lang: string | undefined;
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses one XML document under `limits`; bytes are UTF-8 (the charset PIDF and watcher-info mandate). */
export function parseXml(
  input: Uint8Array | string,
  limits: XmlLimits = DEFAULT_XML_LIMITS,
): Result<XmlElement, XmlError> {
  let text: string;
  if (typeof input === 'string') {
    // A string's size in UTF-8 is at most three bytes per UTF-16 unit: a cheap bound before measuring exactly.
    if (input.length > limits.maxBytes || Buffer.byteLength(input, 'utf8') > limits.maxBytes)
      return err(tooLarge(limits));
    text = input;
  } else {
    if (input.byteLength > limits.maxBytes) return err(tooLarge(limits));
    try {
      text = fatalUtf8.decode(input);
    } catch {
      return err({ code: 'invalid-utf8', message: 'the body is not valid UTF-8' });
    }
  }
  try {
    return ok(run(text, limits));
  } catch (error) {
    if (error instanceof Stop) return err(error.error);
    // saxes reports malformed XML through its error handler (below), so anything else is a surprise: still data.
    return err({ code: 'malformed', message: `not well-formed XML: ${messageOf(error)}` });
  }
}

function run(text: string, limits: XmlLimits): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: OpenElement[] = [];
  let root: XmlElement | undefined;
  let elements = 0;
  let textLength = 0;
  const addText = (chunk: string): void => {
    textLength += chunk.length;
    if (textLength > limits.maxTextLength)
      throw new Stop({
        code: 'text-too-long',
        message: `more than ${limits.maxTextLength} characters of text`,
      });
    const top = stack.at(-1);
    // Outside the root only white space is allowed, and saxes refuses anything else itself.
    if (top) top.text += chunk;
  };
  parser.on('error', (error) => {
    throw new Stop({ code: 'malformed', message: `not well-formed XML: ${firstLine(error.message)}` });
  });
  parser.on('doctype', () => {
    throw new Stop({ code: 'doctype', message: 'a DOCTYPE is not accepted in a presence document' });
  });
  parser.on('opentagstart', () => {
    elements++;
    if (elements > limits.maxElements)
      throw new Stop({ code: 'too-many-elements', message: `more than ${limits.maxElements} elements` });
    if (stack.length + 1 > limits.maxDepth)
      throw new Stop({ code: 'too-deep', message: `elements nested deeper than ${limits.maxDepth}` });
  });
  let attributesOnTag = 0;
  parser.on('attribute', (attribute) => {
    attributesOnTag++;
    if (attributesOnTag > limits.maxAttributes)
      throw new Stop({
        code: 'too-many-attributes',
        message: `more than ${limits.maxAttributes} attributes on one element`,
      });
    if (attribute.value.length > limits.maxAttributeLength)
      throw new Stop({
        code: 'attribute-too-long',
        message: `an attribute value longer than ${limits.maxAttributeLength} characters`,
      });
  });
  parser.on('opentag', (tag) => {
    attributesOnTag = 0;
    const attributes: XmlAttribute[] = [];
    for (const attribute of Object.values(tag.attributes)) {
      // Namespace declarations are how names are resolved, not data.
      if (attribute.prefix === 'xmlns' || (attribute.prefix === '' && attribute.local === 'xmlns')) continue;
      attributes.push({ ns: attribute.uri, name: attribute.local, value: attribute.value });
    }
    const parent = stack.at(-1);
    const lang = attributes.find((a) => a.ns === XML_NAMESPACE && a.name === 'lang')?.value ?? parent?.lang;
    stack.push({ ns: tag.uri, name: tag.local, attributes, children: [], text: '', lang });
  });
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('closetag', () => {
    const open = stack.pop();
    if (!open) return;
    const element: XmlElement = {
      ns: open.ns,
      name: open.name,
      attributes: open.attributes,
      children: open.children,
      text: open.text,
      ...(open.lang !== undefined ? { lang: open.lang } : {}),
    };
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else root = element;
  });
  parser.write(text).close();
  if (!root) throw new Stop({ code: 'malformed', message: 'the document has no root element' });
  return root;
}

function tooLarge(limits: XmlLimits): XmlError {
  return { code: 'too-large', message: `the body is larger than ${limits.maxBytes} bytes` };
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? firstLine(error.message) : 'unknown failure';
}

/** The value of attribute `name` (in namespace `ns`, none by default). */
export function attributeOf(element: XmlElement, name: string, ns = ''): string | undefined {
  return element.attributes.find((a) => a.name === name && a.ns === ns)?.value;
}

/** The children named `name` in namespace `ns`. */
export function childrenOf(element: XmlElement, ns: string, name: string): XmlElement[] {
  return element.children.filter((child) => child.ns === ns && child.name === name);
}

export function childOf(element: XmlElement, ns: string, name: string): XmlElement | undefined {
  return element.children.find((child) => child.ns === ns && child.name === name);
}
