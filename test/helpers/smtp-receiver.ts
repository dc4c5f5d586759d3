import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** accept: 250. tempfail: 451 for every message. reject: 550. hang: never answers the message. */
export type SmtpBehaviour = 'accept' | 'tempfail' | 'reject' | 'hang';

export interface SmtpReceiver {
  url: string;
  received: ReceivedMail[];
  /** Messages the server saw, delivered or not. */
  attempts: number;
  behaviour: SmtpBehaviour;
  /** The next message to `to` (already received or still to come). */
  nextTo(to: string): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/**
 * A real SMTP server (the smtp-server package) on a free loopback port. No TLS and no AUTH: it exists only
 * for the duration of a test file and only on 127.0.0.1.
 */
export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const waiting: { to: string; resolve: (mail: ReceivedMail) => void }[] = [];
  const taken = new Set<ReceivedMail>();
  const hung: (() => void)[] = [];
  const state: SmtpReceiver = {
    url: '',
    received: [],
    attempts: 0,
    behaviour: 'accept',
    nextTo: (to) => {
      const ready = state.received.find((mail) => mail.to === to && !taken.has(mail));
      if (ready) {
        taken.add(ready);
        return Promise.resolve(ready);
      }
      return new Promise((resolve) => waiting.push({ to, resolve }));
    },
    close: async () => {
      for (const release of hung.splice(0)) release();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      state.attempts++;
      const behaviour = state.behaviour;
      if (behaviour === 'hang') {
        stream.resume();
        hung.push(() => callback(new Error('closing')));
        return;
      }
      void simpleParser(stream).then((parsed) => {
        if (behaviour !== 'accept') {
          const error = Object.assign(new Error(behaviour === 'reject' ? 'Mailbox unavailable' : 'Try again later'), {
            responseCode: behaviour === 'reject' ? 550 : 451,
          });
          return callback(error);
        }
        const to = Array.isArray(parsed.to) ? parsed.to[0]?.text : parsed.to?.text;
        const mail: ReceivedMail = {
          to: (to ?? '').toLowerCase(),
          subject: parsed.subject ?? '',
          text: parsed.text ?? '',
          html: typeof parsed.html === 'string' ? parsed.html : '',
        };
        state.received.push(mail);
        const waiter = waiting.findIndex((entry) => entry.to === mail.to);
        if (waiter >= 0) {
          taken.add(mail);
          waiting.splice(waiter, 1)[0].resolve(mail);
        }
        callback();
      }, callback);
    },
  });
  // A sender that dies mid-message (the cluster test SIGKILLs an instance) resets its connection. That is the
  // sender's failure, which its own test judges; smtp-server reports it as an 'error' event, which unheard
  // would end the whole test process. Any other error still does.
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') throw error;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  return state;
}

/** The token in a mailed link (`.../#/<route>?token=<token>`). */
export function linkToken(text: string, route: string): string {
  const match = new RegExp(`/#/${route}\\?token=([A-Za-z0-9_-]{43})`).exec(text);
  if (!match) throw new Error(`no ${route} link in:\n${text}`);
  return match[1];
}
