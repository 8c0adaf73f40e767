/**
 * Migration 2: what the web console (docs/admin.md §8) needs. Applications get a
 * `reviewed` state and the history of who drafted, submitted and reviewed them
 * (the four-eyes rule reads it). Admin accounts may be people, bound to their
 * New eID card (the SHA-256 of the console's pairwise subject) after an
 * invitation, scoped to their own eServices (applicants), and locked after
 * failed logins; their passkeys are WebAuthn credentials. Console sessions,
 * pending logins, login failures, locks and alerts live here too, so that every
 * instance and worker sees the same state.
 */
export const MIGRATION_0002 = {
  version: 2,
  name: 'admin-console',
  statements: [
    'ALTER TABLE neid.applications DROP CONSTRAINT applications_status_check',
    `ALTER TABLE neid.applications ADD CONSTRAINT applications_status_check CHECK (status IN
       ('draft', 'submitted', 'reviewed', 'approved', 'rejected', 'active', 'suspended', 'revoked', 'superseded'))`,
    // [{ step: create|update|submit|review|request-changes|approve|reject, by, at, note? }]
    `ALTER TABLE neid.applications ADD COLUMN history jsonb NOT NULL DEFAULT '[]'`,
    'DROP INDEX neid.applications_one_open',
    `CREATE UNIQUE INDEX applications_one_open ON neid.applications (eservice_id)
       WHERE status IN ('draft', 'submitted', 'reviewed', 'approved')`,

    'ALTER TABLE neid.admin_accounts DROP CONSTRAINT admin_accounts_kind_check',
    `ALTER TABLE neid.admin_accounts ADD CONSTRAINT admin_accounts_kind_check CHECK (kind IN ('service', 'person'))`,
    'ALTER TABLE neid.admin_accounts DROP CONSTRAINT admin_accounts_status_check',
    `ALTER TABLE neid.admin_accounts ADD CONSTRAINT admin_accounts_status_check
       CHECK (status IN ('invited', 'active', 'disabled'))`,
    // The eServices an applicant acts for (its own); empty for every other role.
    `ALTER TABLE neid.admin_accounts ADD COLUMN eservices jsonb NOT NULL DEFAULT '[]'`,
    // SHA-256 of the pairwise subject the console's OpenID client receives for the person's card.
    'ALTER TABLE neid.admin_accounts ADD COLUMN subject_hash bytea UNIQUE',
    'ALTER TABLE neid.admin_accounts ADD COLUMN invitation_hash bytea UNIQUE',
    'ALTER TABLE neid.admin_accounts ADD COLUMN invitation_expires timestamptz',
    'ALTER TABLE neid.admin_accounts ADD COLUMN locked_until timestamptz',
    'ALTER TABLE neid.admin_accounts ADD COLUMN last_login timestamptz',

    'ALTER TABLE neid.admin_credentials DROP CONSTRAINT admin_credentials_kind_check',
    `ALTER TABLE neid.admin_credentials ADD CONSTRAINT admin_credentials_kind_check
       CHECK (kind IN ('private_key_jwt', 'webauthn'))`,
    'ALTER TABLE neid.admin_credentials ALTER COLUMN public_jwk DROP NOT NULL',
    // WebAuthn: the credential id (base64url, unique), its COSE public key, sign counter, transports, name.
    'ALTER TABLE neid.admin_credentials ADD COLUMN webauthn_id text UNIQUE',
    'ALTER TABLE neid.admin_credentials ADD COLUMN webauthn jsonb',
    'ALTER TABLE neid.admin_credentials ADD COLUMN last_used_at timestamptz',

    // A console session: the cookie holds 32 random bytes, the table their SHA-256.
    `CREATE TABLE neid.admin_sessions (
       id_hash bytea PRIMARY KEY,
       account_id text NOT NULL REFERENCES neid.admin_accounts (id),
       csrf text NOT NULL,
       auth_method text NOT NULL CHECK (auth_method IN ('card', 'passkey')),
       auth_time timestamptz NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       last_seen timestamptz NOT NULL DEFAULT now(),
       expires_at timestamptz NOT NULL,
       address text,
       challenge text
     )`,
    'CREATE INDEX admin_sessions_by_account ON neid.admin_sessions (account_id)',
    // A login under way (card: OpenID state, nonce, PKCE verifier; passkey: the WebAuthn challenge).
    `CREATE TABLE neid.admin_login_states (
       id_hash bytea PRIMARY KEY,
       kind text NOT NULL CHECK (kind IN ('card', 'passkey')),
       purpose text NOT NULL CHECK (purpose IN ('login', 'step-up', 'invitation')),
       state text,
       nonce text,
       verifier text,
       challenge text,
       account_id text,
       return_to text,
       expires_at timestamptz NOT NULL
     )`,
    `CREATE TABLE neid.admin_login_failures (
       at timestamptz NOT NULL,
       account_id text,
       address text,
       reason text NOT NULL
     )`,
    'CREATE INDEX admin_login_failures_by_account ON neid.admin_login_failures (account_id, at)',
    'CREATE INDEX admin_login_failures_by_address ON neid.admin_login_failures (address, at)',
    `CREATE TABLE neid.admin_address_locks (
       address text PRIMARY KEY,
       locked_until timestamptz NOT NULL
     )`,
    `CREATE TABLE neid.admin_alerts (
       id bigserial PRIMARY KEY,
       at timestamptz NOT NULL DEFAULT now(),
       kind text NOT NULL,
       subject text NOT NULL,
       details jsonb NOT NULL,
       delivery text NOT NULL DEFAULT 'none' CHECK (delivery IN ('none', 'pending', 'delivered', 'failed')),
       attempts integer NOT NULL DEFAULT 0,
       acknowledged_by text,
       acknowledged_at timestamptz
     )`,
    // The console's audit filters and the dashboard's login counts per eService and day.
    'CREATE INDEX audit_log_by_action ON neid.audit_log (action, at)',
    'CREATE INDEX audit_log_by_actor ON neid.audit_log (actor, seq)',
    'CREATE INDEX audit_log_by_target ON neid.audit_log (target, seq)',
    // Keys the server makes for itself and every instance shares (the console's OpenID client key),
    // sealed like terminal keys (AES-256-GCM under registry.keyFile, the name as associated data).
    `CREATE TABLE neid.server_keys (
       name text PRIMARY KEY,
       sealed bytea NOT NULL,
       public_jwk jsonb NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now()
     )`,
  ],
} as const;
