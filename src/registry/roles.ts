/**
 * Admin roles and what each may do (requirements §7: separation of duties).
 * Every admin API route checks one permission against the caller's roles; a
 * service account from `neid admin bootstrap` holds them all. People with
 * these roles (and the four-eyes rule between reviewer and approver) come with
 * the web console; they use the same table.
 */
export const ROLES = ['applicant', 'reviewer', 'approver', 'security-officer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'eservice:read',
  'eservice:write',
  'eservice:suspend',
  'application:write',
  'application:decide',
  'frontend:write',
  'terminal:manage',
  'account:manage',
  'audit:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Readonly<Record<Role, readonly Permission[]>> = {
  applicant: ['eservice:read', 'application:write', 'frontend:write'],
  reviewer: ['eservice:read'],
  approver: ['eservice:read', 'eservice:write', 'eservice:suspend', 'application:decide'],
  'security-officer': [
    'eservice:read',
    'eservice:write',
    'eservice:suspend',
    'frontend:write',
    'terminal:manage',
    'account:manage',
    'audit:read',
  ],
  auditor: ['eservice:read', 'audit:read'],
};

export const isRole = (s: string): s is Role => (ROLES as readonly string[]).includes(s);

export function permits(roles: readonly Role[], p: Permission): boolean {
  return roles.some((r) => GRANTS[r].includes(p));
}

/** The authenticated caller of the admin API, as routes and the audit log see it. */
export interface Principal {
  /** `service:<accountId>` (later also people), recorded as the audit actor. */
  readonly id: string;
  readonly kind: 'service' | 'cli' | 'system';
  readonly roles: readonly Role[];
}

/** The operator at the command line (`neid registry import`, `neid terminal import` …): every permission. */
export function cliPrincipal(): Principal {
  const user = process.env.SUDO_USER ?? process.env.USER ?? process.env.LOGNAME ?? 'unknown';
  return { id: `cli:${user}`, kind: 'cli', roles: [...ROLES] };
}

/** The server itself (seeding, renewals, metadata refresh, recovery). */
export const SYSTEM: Principal = { id: 'system', kind: 'system', roles: [...ROLES] };
