import type { Principal } from '../auth/principal.js';

/**
 * How a principal is recorded as who did something (a run's `initiated_by`, the operations
 * trail's `initiated_by`, serve's log): `alice (operator via password)`. The role and sign-in
 * method are part of the record because they are what allowed the action at the time.
 */
export function principalLabel(principal: Principal): string {
  return `${principal.name} (${principal.role} via ${principal.via})`;
}
