import { describe, expect, it } from 'vitest';
import { sandboxHoldReason } from '../../../actions/core/sandbox-delivery.js';

describe('sandboxHoldReason', () => {
  it('holds a message for a server elsewhere only in sandbox mode, saying why', () => {
    expect(sandboxHoldReason(true, 'smtp.office365.com', 'SMTP server smtp.office365.com:587')).toBe('sandbox mode: SMTP server smtp.office365.com:587 is not on this machine, so nothing is sent to it');
    expect(sandboxHoldReason(true, '127.0.0.1', 'SMTP server 127.0.0.1:1025')).toBeUndefined();
    expect(sandboxHoldReason(false, 'smtp.office365.com', 'SMTP server smtp.office365.com:587')).toBeUndefined();
  });
});
