/**
 * Migration 3: how an application was filed and what the Ministry's reviewer
 * recorded (seed 004 第陸章 壹.一, 表8). `filing`: signed online with an
 * organisation certificate (the signature, the certificate, the organisation
 * identifier it binds) or on paper (and when the signed paper copy arrived).
 * `assessment`: the reviewer's half of 表8 (提供 / 無法提供 with its reasons,
 * planned test and connection dates, the network addresses of both sides).
 * An eService's `networks` (CIDR) are the addresses its SOAP and admin-API
 * calls are accepted from; empty: no restriction (eServices from before).
 * The test phase: an eService's `phase` (test: its terminal certificate is the
 * test DV's and works with test cards only; production), each terminal's
 * `environment`, and the purpose `promotion` (test → production).
 */
export const MIGRATION_0003 = {
  version: 3,
  name: 'filing',
  statements: [
    'ALTER TABLE neid.applications ADD COLUMN filing jsonb',
    'ALTER TABLE neid.applications ADD COLUMN assessment jsonb',
    `ALTER TABLE neid.eservices ADD COLUMN networks jsonb NOT NULL DEFAULT '[]'`,
    `ALTER TABLE neid.eservices ADD COLUMN phase text NOT NULL DEFAULT 'production'
       CHECK (phase IN ('test', 'production'))`,
    `ALTER TABLE neid.terminals ADD COLUMN environment text NOT NULL DEFAULT 'production'
       CHECK (environment IN ('test', 'production'))`,
    'ALTER TABLE neid.terminals DROP CONSTRAINT terminals_purpose_check',
    `ALTER TABLE neid.terminals ADD CONSTRAINT terminals_purpose_check
       CHECK (purpose IN ('initial', 'amendment', 'renewal', 'imported', 'promotion'))`,
  ],
} as const;
