/**
 * Security lab: each row performs one attack against the reader's own session and shows what the server
 * answered. "refused" (green) means the defense held. The rows live beside this file (lab-*.ts).
 */
import { h, heading } from '../dom';
import type { ViewContext } from '../router';
import * as session from '../session';
import { badge, button, whileBusy } from '../ui';
import { attackDemos } from './lab-attacks';
import { dbscPanel } from './lab-dbsc';
import { dpopRow } from './lab-dpop';
import { refreshReuseRow } from './lab-refresh-reuse';
import { demoRow, type Demo } from './lab-row';
import { storageDemo } from './lab-storage';

const DEMOS: Demo[] = [storageDemo, ...attackDemos];

export function labView(context: ViewContext): Node {
  const loggedIn = session.authState() === 'logged-in';
  const rows = DEMOS.map((demo) => demoRow(demo, loggedIn, context.announce));
  const runAll = button(
    'Run all safe demos',
    () =>
      void whileBusy(runAll, 'Running…', async () => {
        for (const row of rows) if (row.runnable && !context.signal.aborted) await row.run();
      }),
    { variant: 'primary', testid: 'lab-run-all' },
  );

  return h(
    'div',
    { class: 'view', testid: 'view-lab' },
    heading('Security lab'),
    h(
      'p',
      { class: 'lead' },
      "Each demonstration attacks your own session and shows the request and the server's answer. ",
      badge('refused', 'good'),
      ' means the defense worked; ',
      badge('accepted', 'bad'),
      ' means the attack got through.',
    ),
    loggedIn
      ? null
      : h(
          'p',
          { class: 'callout', testid: 'lab-login-hint' },
          'The storage check runs without an account. ',
          h('a', { href: '#/login' }, 'Log in'),
          ' to run the attacks against a real session.',
        ),
    dbscPanel(loggedIn, context.signal),
    h('div', { class: 'actions' }, runAll),
    rows.map((row) => row.el),
    dpopRow(loggedIn, context.announce),
    refreshReuseRow(loggedIn, context.announce),
    h(
      'p',
      { class: 'callout' },
      'Mailed links: ',
      h(
        'a',
        { href: '#/lab/reset-links', testid: 'lab-to-reset-links' },
        'a password-reset link works once and dies when a newer one is sent',
      ),
      '.',
    ),
  );
}
