import { describe, expect, it } from 'vitest';
import { escapeSlack, factText, plainSummary, slackPayload } from '../../../actions/core/webhook-payloads.js';

describe('webhook payloads', () => {
  it('renders fact values as text', () => {
    expect(factText(['a', 1, true])).toBe('a, 1, true');
    expect(factText({ a: 1 })).toBe('{"a":1}');
    expect(factText(null)).toBe('');
    expect(factText(0)).toBe('0');
  });

  it('escapes Slack control characters in data', () => {
    expect(escapeSlack('<@U1> & <!channel>')).toBe('&lt;@U1&gt; &amp; &lt;!channel&gt;');
  });

  it('keeps within Slack\'s limits', () => {
    const payload = slackPayload({ title: 't'.repeat(200), text: 'x'.repeat(4000), facts: [{ name: 'n', value: 'v'.repeat(3000) }] });
    const [header, section, facts] = payload.blocks as Array<{ text?: { text: string }; fields?: Array<{ text: string }> }>;
    expect(header?.text?.text).toHaveLength(150);
    expect(section?.text?.text).toHaveLength(3000);
    expect(facts?.fields?.[0]?.text).toHaveLength(2000);
  });

  it('falls back to the facts for the summary when there is no title or text', () => {
    expect(plainSummary({ facts: [{ name: 'a', value: 1 }, { name: 'b', value: 'x' }] })).toBe('a: 1; b: x');
  });
});
