/**
 * Security lab, development only (it reads the outbox): a password-reset link works once, and an older
 * link dies as soon as a newer one is sent. Runs on a throwaway account, never the visitor's own.
 */
import * as accounts from '../accounts-api';
import { h, heading } from '../dom';
import { describeError } from '../errors';
import { ApiError } from '../http';
import { badge, button, card } from '../ui';

interface Step {
  label: string;
  status: number;
  expected: number;
}

const DEMO_PASSWORD = 'lab-demo-passphrase-';

async function latestResetToken(email: string): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const mails = (await accounts.outbox()) ?? [];
    const link = mails.find((mail) => mail.to === email && mail.template === 'password_reset')?.link;
    const token = link ? new URLSearchParams(link.split('?')[1] ?? '').get('token') : null;
    if (token) return token;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('No reset mail reached the outbox (the demo needs development mode).');
}

async function status(task: () => Promise<unknown>): Promise<number> {
  try {
    await task();
    return 204;
  } catch (error) {
    if (error instanceof ApiError) return error.status;
    throw error;
  }
}

async function runDemo(): Promise<Step[]> {
  // Checked before the throwaway account is made: without the outbox the links could not be read.
  if (!accounts.hasOutbox())
    throw new Error('This demo reads the development outbox, which this server does not have.');
  const email = `lab-${crypto.randomUUID().slice(0, 8)}@example.test`;
  const password = `${DEMO_PASSWORD}${crypto.randomUUID().slice(0, 8)}`;
  await accounts.register(email, password);
  await accounts.requestPasswordReset(email);
  const first = await latestResetToken(email);
  await accounts.requestPasswordReset(email);
  let second = await latestResetToken(email);
  for (let attempt = 0; second === first && attempt < 20; attempt++) second = await latestResetToken(email);
  const newPassword = `${DEMO_PASSWORD}${crypto.randomUUID().slice(0, 8)}`;
  return [
    {
      label: 'The first link, after a second one was sent',
      status: await status(() => accounts.confirmPasswordReset(first, newPassword)),
      expected: 400,
    },
    {
      label: 'The newest link',
      status: await status(() => accounts.confirmPasswordReset(second, newPassword)),
      expected: 204,
    },
    {
      label: 'The newest link, a second time',
      status: await status(() => accounts.confirmPasswordReset(second, `${newPassword}x`)),
      expected: 400,
    },
  ];
}

export function labResetView(): Node {
  const results = h('ol', { class: 'steps', testid: 'lab-reset-steps' });
  const run = button(
    'Run the demo',
    () => {
      run.disabled = true;
      results.replaceChildren();
      runDemo().then(
        (steps) => {
          results.replaceChildren(
            ...steps.map((step) =>
              h(
                'li',
                { testid: 'lab-reset-step' },
                `${step.label}: `,
                badge(String(step.status), step.status === step.expected ? 'good' : 'bad'),
                step.status === 400 ? ' refused' : step.status === 204 ? ' password changed' : '',
              ),
            ),
          );
          run.disabled = false;
        },
        (error: unknown) => {
          results.replaceChildren(h('li', { class: 'message message-error' }, describeError(error).join(' ')));
          run.disabled = false;
        },
      );
    },
    { variant: 'primary', testid: 'lab-reset-run' },
  );
  return h(
    'div',
    { class: 'view', testid: 'view-lab-reset' },
    heading('Lab: password-reset links'),
    card(
      h(
        'p',
        {},
        'Creates a throwaway account, asks for two reset links, then tries them: a link dies when a newer one is sent, ' +
          'and works only once. Development only: the links are read from the outbox.',
      ),
      h('p', {}, run),
      results,
    ),
  );
}
