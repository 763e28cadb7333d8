import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matchesFormat } from '../../../engine/inputs/formats.js';
import { formatText } from '../../../engine/loader/schema-issues.js';

/** The `format` names a declaration may use: the enum of the language schema. */
const schema = JSON.parse(readFileSync('schemas/language/workflow.schema.json', 'utf8')) as { definitions: { format: { enum: string[] } } };
const formats = schema.definitions.format.enum;

/** A value each format accepts and one it refuses. */
const examples: Record<string, [string, string]> = {
  email: ['jane@company.com', 'jane at company'],
  uri: ['https://example.com/path', 'not a uri'],
  url: ['https://example.com/path', 'example'],
  hostname: ['mail.company.com', 'mail_company..com'],
  ipv4: ['10.0.0.1', '10.0.0.256'],
  ipv6: ['::1', '1:2:3'],
  uuid: ['123e4567-e89b-12d3-a456-426614174000', '123e4567'],
  date: ['2025-01-31', '2025-02-30'],
  time: ['13:45:00Z', '25:00:00Z'],
  'date-time': ['2025-01-31T13:45:00Z', '2025-01-31'],
  duration: ['P30D', '30 days'],
  regex: ['^a+$', '(unclosed'],
};

describe('declared formats', () => {
  it('has an example for every format the schema allows (and no other)', () => {
    expect(Object.keys(examples).sort()).toEqual([...formats].sort());
  });

  // An unknown name would accept every value: each must be checked for real.
  it.each(formats)('%s accepts a value of that form and refuses another', (format) => {
    const [good, bad] = examples[format] ?? ['', ''];
    expect(matchesFormat(format, good)).toBe(true);
    expect(matchesFormat(format, bad)).toBe(false);
  });

  it.each(formats)('%s is described in words in messages', (format) => {
    expect(formatText(format)).not.toBe(`in the "${format}" format`);
  });

  it('are all listed in the template language reference (docs/language.md)', () => {
    const reference = readFileSync('docs/language.md', 'utf8');
    const row = reference.split('\n').find((line) => line.startsWith('| `format` |')) ?? '';
    expect(formats.filter((format) => !row.includes(`\`${format}\``))).toEqual([]);
  });
});
