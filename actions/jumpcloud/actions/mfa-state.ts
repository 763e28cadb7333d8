import type { SystemUser } from '../types.js';

// TOTP statuses that mean a key exists or an enrolment window is open.
const OPEN_TOTP_STATUSES: ReadonlySet<string> = new Set(['ENROLLED', 'IN_ENROLLMENT', 'PENDING_ACTIVATION', 'PRE_ENROLLMENT']);

/**
 * True when the user has MFA to clear: TOTP enabled, MFA marked configured, or a TOTP enrolment
 * that is done or under way. A reset without an exclusion window leaves none of these, which is
 * what makes `jumpcloud.user.mfa.clear` idempotent.
 */
export function mfaEnrolled(user: Pick<SystemUser, 'totp_enabled' | 'mfa' | 'mfaEnrollment'>): boolean {
  return user.totp_enabled === true || user.mfa?.configured === true || OPEN_TOTP_STATUSES.has(user.mfaEnrollment?.totpStatus ?? '');
}

/** The MFA fields of a user record, for changes and backups. */
export function mfaState(user: Pick<SystemUser, 'totp_enabled' | 'mfa' | 'mfaEnrollment' | 'enable_user_portal_multifactor'>): Record<string, unknown> {
  return {
    totp_enabled: user.totp_enabled === true,
    configured: user.mfa?.configured === true,
    ...(user.mfaEnrollment?.totpStatus === undefined ? {} : { totp_status: user.mfaEnrollment.totpStatus }),
    ...(user.mfaEnrollment?.overallStatus === undefined ? {} : { overall_status: user.mfaEnrollment.overallStatus }),
  };
}
