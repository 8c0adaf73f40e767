/**
 * Admin roles and what each may do: separation of duties after seed 004 第陸章
 * 伍.三.(一) (表24) — the eService's own contact applies, a reviewer checks, an
 * approver decides, the IT security officer keeps keys, certificates, accounts
 * and alerts, an auditor only reads the audit log. Every admin API route checks
 * one permission against the caller's roles, whether the call comes over HTTP or
 * from the web console; an applicant is further held to its own eServices
 * (`assertScope`) and an approver to applications it took no part in (four eyes,
 * workflow/decisions.ts). `neid admin bootstrap` makes a break-glass service
 * account holding every role; accounts made through the API or console must keep
 * the exclusions of `roleConflict`.
 */
import { forbidden } from './errors.js';

export const ROLES = ['applicant', 'reviewer', 'approver', 'security-officer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  /** Every signed-in admin: the dashboard (each part only with the permission behind it). */
  'overview:read',
  'eservice:read',
  'eservice:write',
  'eservice:suspend',
  'application:write',
  'application:review',
  'application:decide',
  'frontend:write',
  'terminal:manage',
  'account:manage',
  'alert:manage',
  'audit:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Readonly<Record<Role, readonly Permission[]>> = {
  applicant: ['overview:read', 'eservice:read', 'application:write', 'frontend:write'],
  reviewer: ['overview:read', 'eservice:read', 'application:review'],
  approver: ['overview:read', 'eservice:read', 'application:decide'],
  'security-officer': [
    'overview:read',
    'eservice:read',
    'eservice:write',
    'eservice:suspend',
    'frontend:write',
    'terminal:manage',
    'account:manage',
    'alert:manage',
    'audit:read',
  ],
  auditor: ['overview:read', 'audit:read'],
};

export const isRole = (s: string): s is Role => (ROLES as readonly string[]).includes(s);

export function permits(roles: readonly Role[], p: Permission): boolean {
  return roles.some((r) => GRANTS[r].includes(p));
}

/**
 * Why these roles cannot be held together, or undefined. Seed 004 伍.三.(一).2: whoever controls
 * (the auditor) performs no operational task; the applicant is the eService's side of the
 * application and holds no role of the Ministry's.
 */
export function roleConflict(roles: readonly Role[]): string | undefined {
  if (roles.length < 2) return undefined;
  if (roles.includes('auditor')) return 'the auditor role cannot be combined with another role';
  if (roles.includes('applicant')) return 'the applicant role cannot be combined with another role';
  return undefined;
}

/** The authenticated caller, as routes, workflows and the audit log see it. */
export interface Principal {
  /** `service:<account>`, `person:<account>`, `cli:<user>` or `system`: the audit actor. */
  readonly id: string;
  readonly kind: 'service' | 'person' | 'cli' | 'system';
  readonly roles: readonly Role[];
  /** The admin account (service and person principals). */
  readonly accountId?: string;
  /** An applicant acts for these eServices only (and for new ones it applies for); undefined: no limit. */
  readonly eServices?: readonly string[];
  /** When the caller last proved its credential (card or passkey login, client assertion). */
  readonly authTime?: Date;
}

/** The eService scope of an account with these roles: applicants only, every other role sees all. */
export const scopeOf = (
  roles: readonly Role[],
  eServices: readonly string[],
): readonly string[] | undefined => (roles.length === 1 && roles[0] === 'applicant' ? eServices : undefined);

/** Refuses a principal held to its own eServices when `eServiceId` is not one of them. */
export function assertScope(p: Principal, eServiceId: string): void {
  if (p.eServices && !p.eServices.includes(eServiceId))
    throw forbidden(`${p.id} acts for its own eServices only; ${eServiceId} is not one of them`);
}

/** The operator at the command line (`neid registry import`, `neid terminal import` …): every permission. */
export function cliPrincipal(): Principal {
  const user = process.env.SUDO_USER ?? process.env.USER ?? process.env.LOGNAME ?? 'unknown';
  return { id: `cli:${user}`, kind: 'cli', roles: [...ROLES] };
}

/** The server itself (seeding, renewals, metadata refresh, recovery). */
export const SYSTEM: Principal = { id: 'system', kind: 'system', roles: [...ROLES] };
