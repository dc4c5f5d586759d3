import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { accountsConfig } from './accounts.config';
import { MailService } from '../mail/mail.service';
import {
  addressInUseMail,
  emailChangedNoticeMail,
  emailChangeVerifyMail,
  passwordChangedMail,
  passwordResetMail,
  registrationAttemptMail,
  verifyEmailMail,
} from '../mail/templates/account-mails';
import type { RenderedMail } from '../mail/templates/layout';
import type { User } from '../users/entities/user.entity';
import { accountLink } from './account-links';
import { AfterAnswer } from './after-answer';
import { AccountTokensService } from './account-tokens.service';

/**
 * Issues the link tokens and queues the account mails, all after the caller has answered (AfterAnswer):
 * issuing a token is database work only a known address needs. MailService then sends off the request
 * path too.
 */
@Injectable()
export class AccountMailer {
  constructor(
    @Inject(accountsConfig.KEY) private readonly config: ConfigType<typeof accountsConfig>,
    private readonly tokens: AccountTokensService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    private readonly afterAnswer: AfterAnswer,
  ) {}

  /** Resolves once every mail asked for so far is prepared and sent or given up (tests, a graceful drain). */
  async idle(): Promise<void> {
    await this.afterAnswer.idle();
    await this.mail.idle();
  }

  verification(user: User, client: ClientInfo): void {
    this.later('verify_email', user, client, () => this.sendVerification(user, client));
  }

  passwordReset(user: User, client: ClientInfo): void {
    this.later('password_reset', user, client, () => this.sendPasswordReset(user, client));
  }

  emailChangeVerification(user: User, newEmail: string, client: ClientInfo): void {
    this.later('email_change_verify', user, client, () => this.sendEmailChangeVerification(user, newEmail, client));
  }

  emailChanged(user: User, oldEmail: string, client: ClientInfo): void {
    this.later('email_changed_notice', user, client, () => this.sendEmailChanged(user, oldEmail, client));
  }

  private async sendVerification(user: User, client: ClientInfo): Promise<void> {
    const ttl = this.config.verificationTtlSeconds;
    const token = await this.tokens.issue(user, 'verify_email', user.email, ttl);
    const link = accountLink(this.config.publicUrl, 'verify-email', token);
    this.queue(user, client, user.email, 'verify_email', verifyEmailMail(link, ttl), link);
  }

  registrationAttempt(user: User, client: ClientInfo): void {
    const login = accountLink(this.config.publicUrl, 'login');
    const forgot = accountLink(this.config.publicUrl, 'forgot');
    this.queue(user, client, user.email, 'registration_attempt', registrationAttemptMail(login, forgot));
  }

  /** Another account asked to move to this address, which is taken: the owner is told, nobody gets a link. */
  addressInUse(owner: User, client: ClientInfo): void {
    const login = accountLink(this.config.publicUrl, 'login');
    this.queue(owner, client, owner.email, 'address_in_use', addressInUseMail(login));
  }

  private async sendPasswordReset(user: User, client: ClientInfo): Promise<void> {
    const ttl = this.config.resetTtlSeconds;
    const token = await this.tokens.issue(user, 'reset_password', user.email, ttl);
    const link = accountLink(this.config.publicUrl, 'reset-password', token);
    this.queue(user, client, user.email, 'password_reset', passwordResetMail(link, ttl), link);
  }

  passwordChanged(user: User, client: ClientInfo): void {
    const forgot = accountLink(this.config.publicUrl, 'forgot');
    this.queue(user, client, user.email, 'password_changed', passwordChangedMail(forgot));
  }

  private async sendEmailChangeVerification(user: User, newEmail: string, client: ClientInfo): Promise<void> {
    const ttl = this.config.emailChangeTtlSeconds;
    const token = await this.tokens.issue(user, 'change_email', newEmail, ttl);
    const link = accountLink(this.config.publicUrl, 'confirm-email', token);
    this.queue(user, client, newEmail, 'email_change_verify', emailChangeVerifyMail(link, ttl), link);
  }

  /** `user` as it is after the change (new email, new epoch); the undo token restores `oldEmail`. */
  private async sendEmailChanged(user: User, oldEmail: string, client: ClientInfo): Promise<void> {
    const window = this.config.emailChangeUndoSeconds;
    const token = await this.tokens.issue(user, 'undo_email_change', oldEmail, window);
    const link = accountLink(this.config.publicUrl, 'undo-email-change', token);
    this.queue(user, client, oldEmail, 'email_changed_notice', emailChangedNoticeMail(user.email, link, window), link);
  }

  /** A mail that could not even be prepared (its token not stored) is recorded like one SMTP refused. */
  private later(template: string, user: User, client: ClientInfo, work: () => Promise<void>): void {
    this.afterAnswer.run(`preparing the ${template} mail`, work, (error) =>
      this.audit.record({
        type: 'mail_failed',
        success: false,
        userId: user.id,
        client,
        reason: 'not_prepared',
        metadata: { template, attempts: 0, error: error.message },
      }),
    );
  }

  private queue(
    user: User,
    client: ClientInfo,
    to: string,
    template: string,
    rendered: RenderedMail,
    link?: string,
  ): void {
    this.mail.send({ ...rendered, to, template, userId: user.id, client, link });
  }
}
