/** An RFC 822 message taken apart: unfolded headers (lower-case names) and the body. */
export interface ParsedEml {
  headers: Map<string, string>;
  body: string;
  /** The text/plain part (the body itself for a single-part message). */
  text: string;
  /** The text/html part, if any. */
  html?: string;
}

/**
 * Parses a message as a mail client would at the top level: headers up to the first empty line
 * (folded lines joined), then the body; for multipart/alternative, the text and HTML parts.
 * Enough for the short 7-bit messages the tests send; it fails loudly on anything else.
 */
export function parseEml(raw: string): ParsedEml {
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) throw new Error('not an RFC 822 message: no empty line between headers and body (or no CRLF line ends)');
  const headers = parseHeaderBlock(raw.slice(0, split));
  const body = raw.slice(split + 4);
  const contentType = headers.get('content-type') ?? 'text/plain';
  if (!contentType.startsWith('multipart/')) return { headers, body, text: decode(body, headers) };
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (boundary === undefined) throw new Error(`multipart message without a boundary: ${contentType}`);
  const parts = body.split(`--${boundary}`).slice(1, -1).map((part) => {
    const partSplit = part.indexOf('\r\n\r\n');
    const partHeaders = parseHeaderBlock(part.slice(2, partSplit));
    return { headers: partHeaders, body: decode(part.slice(partSplit + 4).replace(/\r\n$/, ''), partHeaders) };
  });
  const text = parts.find((p) => (p.headers.get('content-type') ?? '').startsWith('text/plain'));
  const html = parts.find((p) => (p.headers.get('content-type') ?? '').startsWith('text/html'));
  if (text === undefined) throw new Error('multipart message without a text/plain part');
  return { headers, body, text: text.body, ...(html === undefined ? {} : { html: html.body }) };
}

function parseHeaderBlock(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed header line: ${JSON.stringify(line)}`);
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function decode(body: string, headers: Map<string, string>): string {
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (encoding === '7bit' || encoding === '8bit') return body;
  if (encoding === 'quoted-printable') return body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  if (encoding === 'base64') return Buffer.from(body, 'base64').toString('utf8');
  throw new Error(`unexpected transfer encoding ${encoding}`);
}
