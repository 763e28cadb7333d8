import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../../engine/index.js';

describe('isLoopbackHost', () => {
  it.each(['localhost', 'LOCALHOST', 'mailhog.localhost', 'localhost.', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '0:0:0:0:0:0:0:1'])('%s is on this machine', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['smtp.office365.com', 'hooks.slack.com', '10.0.0.5', '128.0.0.1', '0.0.0.0', '::', '[::ffff:8.8.8.8]', 'localhost.example.com', '127.0.0.1.nip.io', ''])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});
