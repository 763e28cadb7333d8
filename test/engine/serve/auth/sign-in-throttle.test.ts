import { describe, expect, it } from 'vitest';
import { SignInThrottle } from '../../../../engine/serve/auth/sign-in-throttle.js';

describe('SignInThrottle', () => {
  it('limits a key after its failures until the window that began at the first one ends; reset forgets it', () => {
    let clock = 0;
    const throttle = new SignInThrottle({ maxFailures: 2, windowMs: 1000, maxKeys: 10 }, () => clock);
    throttle.fail('a');
    expect(throttle.retryAfterMs('a')).toBeUndefined();
    clock = 400;
    throttle.fail('a');
    expect(throttle.retryAfterMs('a')).toBe(600);
    expect(throttle.retryAfterMs('b')).toBeUndefined();
    clock = 1000;
    expect(throttle.retryAfterMs('a')).toBeUndefined();
    throttle.fail('b');
    throttle.fail('b');
    throttle.reset('b');
    expect(throttle.retryAfterMs('b')).toBeUndefined();
  });

  it('tracks at most maxKeys keys, forgetting expired ones first and then the oldest', () => {
    let clock = 0;
    const throttle = new SignInThrottle({ maxFailures: 1, windowMs: 1000, maxKeys: 3 }, () => clock);
    throttle.fail('old');
    clock = 500;
    for (const key of ['a', 'b']) throttle.fail(key);
    clock = 1200;
    throttle.fail('c');
    expect(throttle.size).toBe(3);
    expect(throttle.retryAfterMs('a')).toBe(300);
    for (let i = 0; i < 100; i += 1) throttle.fail(`flood-${i}`);
    expect(throttle.size).toBe(3);
  });
});
