import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { PasswordService } from '../auth/password.service';
import type { ClientInfo } from '../common/client-info';
import { SessionsService } from '../sessions/sessions.service';
import { PasswordScreeningService } from '../users/password-screening/password-screening.service';
import { UsersService } from '../users/users.service';
import { AccountMailLimiter } from './account-mail-limiter';
import { AccountMailer } from './account-mailer';
import { AfterAnswer } from './after-answer';

/** The one answer to every well-formed registration, whoever owns the address. */
export const REGISTRATION_ACCEPTED = {
  message: 'Check your inbox: we sent a message to this address with the next step.',
} as const;

@Injectable()
export class RegistrationService {
  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly screening: PasswordScreeningService,
    private readonly mailer: AccountMailer,
    private readonly limiter: AccountMailLimiter,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly afterAnswer: AfterAnswer,
  ) {}

  /**
   * Same status, body and request-path work (one password hash, one insert) for a new address and a taken
   * one, so the answer reveals nothing; the mail tells the owner. A new address gets a verification link;
   * a verified account's owner gets "someone tried to register with your address". An account still
   * unverified is taken over by the newer registration (new password, sessions ended, older links dead):
   * until verified it belongs to whoever can read the mailbox, so an attacker who registers a victim's
   * address first gains nothing (account pre-hijacking).
   */
  async register(email: string, password: string, client: ClientInfo): Promise<typeof REGISTRATION_ACCEPTED> {
    await this.limiter.admit('register', email, client);
    // The same for every address: the context words come from the address typed, not from an account.
    await this.screening.assertAcceptable('password', password, email);
    const passwordHash = await this.passwords.hash(password);
    const created = await this.users.createUnlessTaken(email, passwordHash);
    if (created) {
      this.audit.record({ type: 'register', success: true, userId: created.id, client });
      this.mailer.verification(created, client);
    } else {
      this.afterAnswer.run('registering a taken address', () => this.registerTaken(email, passwordHash, client));
    }
    return REGISTRATION_ACCEPTED;
  }

  /**
   * After the answer: a taken address needs more database work than a new one (a lookup, perhaps a
   * takeover that ends sessions), and its timing must not tell them apart.
   */
  private async registerTaken(email: string, passwordHash: string, client: ClientInfo): Promise<void> {
    const existing = await this.users.findByEmail(email);
    if (!existing) return; // deleted in between: nothing to tell anyone
    if (existing.emailVerifiedAt) {
      this.audit.record({
        type: 'register_refused',
        success: false,
        userId: existing.id,
        client,
        reason: 'email_taken',
      });
      this.mailer.registrationAttempt(existing, client);
      return;
    }
    await this.users.replacePendingPassword(existing.id, passwordHash);
    // With UNVERIFIED_LOGIN=allow the earlier registrant may hold sessions: they end with the takeover.
    const ended = await this.sessions.revokeAllForUser(existing.id, 'registration_replaced');
    this.audit.record({
      type: 'register',
      success: true,
      userId: existing.id,
      client,
      reason: 'pending_replaced',
      metadata: { sessionsEnded: ended },
    });
    this.mailer.verification(await this.users.getById(existing.id), client);
  }
}
