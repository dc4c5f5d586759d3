import { createTransport, type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { DeliveryReceipt, MailDeliveryError, MailMessage, MailTransport } from './mail-message';

/** nodemailer over SMTP_URL; each phase (connect, greeting, every command) is bounded by MAIL_TIMEOUT. */
export class SmtpTransport extends MailTransport {
  private readonly transporter: Transporter<SMTPTransport.SentMessageInfo>;

  constructor(url: string, timeoutSeconds: number) {
    super();
    const timeout = timeoutSeconds * 1000;
    this.transporter = createTransport({
      url,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      // Never log message bodies: they carry single-use links.
      logger: false,
      debug: false,
    } as SMTPTransport.Options);
  }

  async deliver(message: MailMessage, from: string): Promise<DeliveryReceipt> {
    try {
      const info = await this.transporter.sendMail({
        from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
      });
      return { messageId: info.messageId };
    } catch (error) {
      const {
        responseCode,
        code,
        message: reason,
      } = error as { responseCode?: number; code?: string; message: string };
      const permanent = typeof responseCode === 'number' && responseCode >= 500;
      throw new MailDeliveryError(responseCode ? `SMTP ${responseCode}` : (code ?? reason), permanent);
    }
  }

  override close(): void {
    this.transporter.close();
  }
}
