import { emailChangedNoticeMail, passwordResetMail, registrationAttemptMail, verifyEmailMail } from './account-mails';
import { humanDuration } from './layout';

const LINK = 'https://warden.example.test/#/verify-email?token=abc_DEF-123';

describe('account mail templates', () => {
  it.each([
    ['verification', verifyEmailMail(LINK, 86_400), '24 hours'],
    ['reset', passwordResetMail(LINK, 1800), '30 minutes'],
    ['email change notice', emailChangedNoticeMail('new@example.test', LINK, 7 * 86_400), '7 days'],
  ])('puts the same link and lifetime in the text and HTML parts of the %s mail', (_name, mail, lifetime) => {
    expect(mail.text).toContain(LINK);
    expect(mail.html).toContain(`href="${LINK}"`);
    expect(mail.text).toContain(lifetime);
    expect(mail.html).toContain(lifetime);
  });

  it('escapes attacker-chosen values in the HTML part', () => {
    const mail = emailChangedNoticeMail('"><img src=x onerror=alert(1)>@evil.test', LINK, 3600);
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&quot;&gt;&lt;img');
  });

  it('sends no token to the owner of a taken address', () => {
    const mail = registrationAttemptMail('https://w.test/#/login', 'https://w.test/#/forgot');
    expect(mail.text).not.toContain('token=');
  });

  it.each([
    [60, '1 minute'],
    [1800, '30 minutes'],
    [3600, '1 hour'],
    [86_400, '24 hours'],
    [172_800, '2 days'],
    [90, '90 seconds'],
  ])('words %i seconds as %s', (seconds, words) => {
    expect(humanDuration(seconds)).toBe(words);
  });
});
