import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHash } from 'node:crypto';
import { passwordScreeningConfig } from './password-screening.config';

export type BreachVerdict = 'breached' | 'not_found' | 'unknown';

/**
 * ASVS 5.0 6.2.12: is the password in a breach corpus? k-anonymity range query in the shape of Have I Been
 * Pwned's Pwned Passwords API: only the first 5 hex digits of the SHA-1 leave the server, the service
 * answers every suffix in that range (`SUFFIX:COUNT` lines) and the match is made here. Off unless
 * BREACHED_PASSWORD_RANGE_URL is set. Fails open: an unreachable, slow or garbled service yields `unknown`,
 * and the password is judged by the offline rules alone.
 */
@Injectable()
export class BreachedPasswordService {
  private readonly logger = new Logger(BreachedPasswordService.name);

  constructor(
    @Inject(passwordScreeningConfig.KEY) private readonly config: ConfigType<typeof passwordScreeningConfig>,
  ) {}

  get enabled(): boolean {
    return this.config.breachedRangeUrl !== null;
  }

  async check(password: string): Promise<BreachVerdict> {
    const base = this.config.breachedRangeUrl;
    if (base === null) return 'unknown';
    // SHA-1 is what the range API indexes by; it is a lookup key here, never a stored password hash.
    const digest = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
    const prefix = digest.slice(0, 5);
    const suffix = digest.slice(5);
    try {
      const response = await fetch(new URL(prefix, base), {
        // Add-Padding: the response size no longer hints at how many suffixes the range holds.
        headers: { 'Add-Padding': 'true', Accept: 'text/plain' },
        redirect: 'error',
        signal: AbortSignal.timeout(this.config.breachedTimeoutSeconds * 1000),
      });
      if (!response.ok) throw new Error(`status ${response.status}`);
      const body = await response.text();
      for (const line of body.split('\n')) {
        const [candidate, count] = line.trim().split(':');
        // Padding entries have a count of 0.
        if (candidate?.toUpperCase() === suffix && Number(count) > 0) return 'breached';
      }
      return 'not_found';
    } catch (error) {
      this.logger.warn(`breached-password check unavailable, offline rules only: ${(error as Error).message}`);
      return 'unknown';
    }
  }
}
