import type { AuthenticatedUser } from './authenticated-user';

declare global {
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends AuthenticatedUser {}
    interface Request {
      /** Set by the request logger; ties log lines and error reports together. */
      id?: string | number | object;
    }
  }
}

export {};
