import { SetMetadata } from '@nestjs/common';

export const RECENT_AUTH_KEY = 'requiresRecentAuth';

export interface RecentAuthRequirement {
  /** Seconds since the user last proved who they are (`auth_time`); default STEP_UP_MAX_AGE. */
  maxAgeSeconds?: number;
}

/**
 * Sensitive actions (credential and factor changes, ending sessions, admin actions) need a recent login
 * or step-up, not just a live session: a hijacked session or an unattended browser cannot perform them.
 * Older authentications get 401 `insufficient_user_authentication` (RFC 9470).
 */
export const RequiresRecentAuth = (requirement: RecentAuthRequirement = {}) =>
  SetMetadata(RECENT_AUTH_KEY, requirement);
