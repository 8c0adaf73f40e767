/**
 * Migration 1: the registry's tables. Every table lives in the schema `neid`
 * (rewritten to `registry.schema`). Binary values (certificates, requests,
 * sealed keys) are bytea; CV certificate dates are their YYYYMMDD text;
 * structured settings are jsonb.
 */
export const MIGRATION_0001 = {
  version: 1,
  name: 'registry',
  statements: [
    // The registry version: every change bumps it (and NOTIFYs neid_changes) so every instance reloads.
    `CREATE TABLE neid.registry_state (
       id boolean PRIMARY KEY DEFAULT true CHECK (id),
       version bigint NOT NULL DEFAULT 0,
       changed_at timestamptz NOT NULL DEFAULT now()
     )`,
    'INSERT INTO neid.registry_state DEFAULT VALUES',

    `CREATE TABLE neid.eservices (
       id text PRIMARY KEY,
       status text NOT NULL CHECK (status IN ('pending', 'active', 'suspended', 'revoked')),
       display_name jsonb NOT NULL,
       purpose jsonb NOT NULL,
       url text,
       terminal_mnemonic text NOT NULL UNIQUE,
       terminal_subject_url text,
       comm_certificates jsonb NOT NULL DEFAULT '[]',
       max_open_sessions integer NOT NULL,
       approved_fields jsonb NOT NULL DEFAULT '[]',
       approved_functions jsonb NOT NULL DEFAULT '[]',
       active_application text,
       version integer NOT NULL DEFAULT 1,
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now()
     )`,

    // The Secure API application (seed 004 表8): the form as jsonb (extensible), the decision, the state.
    `CREATE TABLE neid.applications (
       id text PRIMARY KEY,
       eservice_id text NOT NULL REFERENCES neid.eservices (id),
       kind text NOT NULL CHECK (kind IN ('initial', 'amendment')),
       status text NOT NULL CHECK (status IN
         ('draft', 'submitted', 'approved', 'rejected', 'active', 'suspended', 'revoked', 'superseded')),
       form jsonb NOT NULL,
       requested_fields jsonb NOT NULL,
       requested_functions jsonb NOT NULL,
       decision jsonb,
       version integer NOT NULL DEFAULT 1,
       created_by text NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now(),
       submitted_at timestamptz,
       decided_at timestamptz,
       activated_at timestamptz
     )`,
    // At most one application in progress per eService (an amendment waits for the previous one).
    `CREATE UNIQUE INDEX applications_one_open ON neid.applications (eservice_id)
       WHERE status IN ('draft', 'submitted', 'approved')`,
    'CREATE INDEX applications_by_status ON neid.applications (status, id)',

    // The Restricted Identification sector key of an eService: made once, kept across renewals
    // (a new sector would change every pseudonym and every blacklist entry).
    `CREATE TABLE neid.sector_keys (
       eservice_id text PRIMARY KEY REFERENCES neid.eservices (id),
       private_key bytea NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now()
     )`,

    // Terminal certificates and their keys. 'generating': a token key is being made (crash recovery
    // destroys it); 'requested': the request waits for the DV's certificate; 'active': in use.
    `CREATE TABLE neid.terminals (
       chr text PRIMARY KEY,
       eservice_id text NOT NULL REFERENCES neid.eservices (id),
       application_id text REFERENCES neid.applications (id),
       status text NOT NULL CHECK (status IN ('generating', 'requested', 'active', 'superseded', 'withdrawn')),
       purpose text NOT NULL CHECK (purpose IN ('initial', 'amendment', 'renewal', 'imported')),
       key_store text NOT NULL CHECK (key_store IN ('sealed', 'pkcs11')),
       private_key bytea,
       key_label text,
       public_key bytea,
       request bytea,
       certificate bytea,
       description bytea NOT NULL,
       chat bytea NOT NULL,
       effective_date text,
       expiration_date text,
       previous_chr text,
       created_at timestamptz NOT NULL DEFAULT now(),
       activated_at timestamptz
     )`,
    `CREATE UNIQUE INDEX terminals_one_active ON neid.terminals (eservice_id) WHERE status = 'active'`,
    `CREATE UNIQUE INDEX terminals_one_pending ON neid.terminals (eservice_id)
       WHERE status IN ('generating', 'requested')`,

    `CREATE TABLE neid.saml_registrations (
       eservice_id text PRIMARY KEY REFERENCES neid.eservices (id),
       settings jsonb NOT NULL,
       source text NOT NULL CHECK (source IN ('upload', 'url')),
       metadata_url text,
       metadata_xml text NOT NULL,
       entity_id text NOT NULL UNIQUE,
       valid_until timestamptz,
       fetched_at timestamptz,
       refresh_error text,
       version integer NOT NULL DEFAULT 1,
       updated_at timestamptz NOT NULL DEFAULT now()
     )`,

    `CREATE TABLE neid.oidc_registrations (
       eservice_id text PRIMARY KEY REFERENCES neid.eservices (id),
       client_id text UNIQUE,
       settings jsonb NOT NULL,
       version integer NOT NULL DEFAULT 1,
       updated_at timestamptz NOT NULL DEFAULT now()
     )`,

    `CREATE TABLE neid.soap_registrations (
       eservice_id text PRIMARY KEY REFERENCES neid.eservices (id),
       settings jsonb NOT NULL,
       version integer NOT NULL DEFAULT 1,
       updated_at timestamptz NOT NULL DEFAULT now()
     )`,
    // Several certificates per eService and use at once: a rollover adds the new one, then removes the old.
    `CREATE TABLE neid.soap_certificates (
       eservice_id text NOT NULL REFERENCES neid.eservices (id),
       usage text NOT NULL CHECK (usage IN ('tls-client', 'signing')),
       fingerprint text NOT NULL,
       pem text NOT NULL,
       subject text NOT NULL,
       not_before timestamptz NOT NULL,
       not_after timestamptz NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (usage, fingerprint)
     )`,

    // Periodic jobs (renewal, audit retention, metadata refresh): a lease, so one instance runs each.
    `CREATE TABLE neid.jobs (
       name text PRIMARY KEY,
       leased_until timestamptz NOT NULL,
       last_run timestamptz
     )`,

    // Admin API callers (service accounts now; people with issue 11) and their credentials.
    `CREATE TABLE neid.admin_accounts (
       id text PRIMARY KEY,
       name text NOT NULL,
       kind text NOT NULL CHECK (kind IN ('service')),
       roles jsonb NOT NULL,
       status text NOT NULL CHECK (status IN ('active', 'disabled')),
       version integer NOT NULL DEFAULT 1,
       created_at timestamptz NOT NULL DEFAULT now()
     )`,
    `CREATE TABLE neid.admin_credentials (
       id text PRIMARY KEY,
       account_id text NOT NULL REFERENCES neid.admin_accounts (id),
       kind text NOT NULL CHECK (kind IN ('private_key_jwt')),
       public_jwk jsonb NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       revoked_at timestamptz
     )`,
    `CREATE TABLE neid.admin_tokens (
       token_hash bytea PRIMARY KEY,
       account_id text NOT NULL REFERENCES neid.admin_accounts (id),
       credential_id text NOT NULL,
       expires_at timestamptz NOT NULL
     )`,
    // One-time client assertions (RFC 7523 §3 jti), kept until they expire.
    `CREATE TABLE neid.admin_assertions (
       jti_hash bytea PRIMARY KEY,
       expires_at timestamptz NOT NULL
     )`,

    // The audit log: append-only, each entry hash-chained to the previous one (SHA-256).
    `CREATE TABLE neid.audit_log (
       seq bigint PRIMARY KEY,
       at timestamptz NOT NULL,
       actor text NOT NULL,
       action text NOT NULL,
       target text,
       outcome text NOT NULL,
       details jsonb NOT NULL,
       prev_hash bytea NOT NULL,
       hash bytea NOT NULL
     )`,
    // The chain's head (last seq and hash) and, after pruning, the hash the first kept entry chains to.
    `CREATE TABLE neid.audit_head (
       id boolean PRIMARY KEY DEFAULT true CHECK (id),
       seq bigint NOT NULL DEFAULT 0,
       hash bytea NOT NULL,
       pruned_to bigint NOT NULL DEFAULT 0,
       pruned_hash bytea NOT NULL
     )`,
    `INSERT INTO neid.audit_head (hash, pruned_hash)
       VALUES (decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), 'hex'))`,
  ],
} as const;
