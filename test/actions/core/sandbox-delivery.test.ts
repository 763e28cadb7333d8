import { describe, expect, it } from 'vitest';
import { isLoopbackHost, sandboxHoldReason } from '../../../actions/core/sandbox-delivery.js';

describe('isLoopbackHost', () => {
  it.each(['localhost', 'LOCALHOST', 'mailhog.localhost', 'localhost.', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '0:0:0:0:0:0:0:1'])('%s is on this machine', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['smtp.office365.com', 'hooks.slack.com', '10.0.0.5', '128.0.0.1', '0.0.0.0', '::', '[::ffff:8.8.8.8]', 'localhost.example.com', '127.0.0.1.nip.io', ''])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('sandboxHoldReason', () => {
  it('holds a message for a server elsewhere only in sandbox mode, saying why', () => {
    expect(sandboxHoldReason(true, 'smtp.office365.com', 'SMTP server smtp.office365.com:587')).toBe('sandbox mode: SMTP server smtp.office365.com:587 is not on this machine, so nothing is sent to it');
    expect(sandboxHoldReason(true, '127.0.0.1', 'SMTP server 127.0.0.1:1025')).toBeUndefined();
    expect(sandboxHoldReason(false, 'smtp.office365.com', 'SMTP server smtp.office365.com:587')).toBeUndefined();
  });
});
