/** What a principal may do beyond its own account. Every principal is a `user`; `admin` is granted by the CLI. */
export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];
