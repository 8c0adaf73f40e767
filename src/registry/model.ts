/**
 * The registry's records as the workflows and the admin API see them.
 *
 * An eService is live (in the registry the front-ends serve) while its status
 * is `active`: it has an active Secure API application and an active terminal
 * certificate. The application is the form of seed 004 表8 with the
 * Ministry's decision; its life:
 *
 *   draft → submitted → reviewed → approved → active → suspended ⇄ active → revoked
 *     ↖ changes requested ↙  ↘ rejected (reason) ↙     ↘ superseded (by an active amendment)
 *
 * A reviewer checks a submitted application (or sends it back as a draft with
 * the changes to make); an approver decides on reviewed ones — never on one they
 * drafted, submitted or reviewed themselves (four eyes, docs/admin.md §4).
 *
 * `approved` → `active` happens when the terminal certificate for exactly the
 * approved fields is in force: at once with the embedded test DV, after
 * `neid terminal import` with the Ministry's DV.
 */
import type { FunctionId } from '../profile/authorization.js';
import type { FieldId } from '../profile/fields.js';

export interface LocalizedText {
  readonly zh: string;
  readonly en: string;
}

export type EServiceStatus = 'pending' | 'active' | 'suspended' | 'revoked';

export interface EServiceRecord {
  readonly id: string;
  readonly status: EServiceStatus;
  readonly displayName: LocalizedText;
  /** The purpose shown to the citizen (CertificateDescription terms of usage). */
  readonly purpose: LocalizedText;
  readonly url?: string;
  readonly terminalMnemonic: string;
  readonly terminalSubjectUrl?: string;
  /** PEM TLS certificates of the eService for its CertificateDescription (commCertificates). */
  readonly commCertificates: readonly string[];
  readonly maxOpenSessions: number;
  /** From the active application (empty until one is active). */
  readonly approvedFields: readonly FieldId[];
  readonly approvedFunctions: readonly FunctionId[];
  /** Where its SOAP and admin-API calls may come from (CIDR, from the reviewer's 表8); empty: anywhere. */
  readonly networks: readonly string[];
  /**
   * `test`: its terminal certificate is the test environment's and works with test cards only, until
   * a reviewer promotes it; `production`: with citizens' cards (docs/admin.md §4).
   */
  readonly phase: 'test' | 'production';
  readonly activeApplication?: string;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export const APPLICATION_STATUSES = [
  'draft',
  'submitted',
  'reviewed',
  'approved',
  'rejected',
  'active',
  'suspended',
  'revoked',
  'superseded',
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/** Seed 004 表8 受理機關審核資料 「無法提供原因」. */
export const REJECTION_REASONS = [
  'incomplete-form',
  'host-address-mismatch',
  'does-not-fit-business',
  'other',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/**
 * Who may read the encrypted area (seed 004 第陸章 壹.二.(三)): providers of critical
 * infrastructure (資通安全管理法), or an industry designated by its competent authority under the
 * Personal Data Protection Act.
 */
export const ELIGIBILITY = ['critical-infrastructure', 'designated-industry'] as const;
export type Eligibility = (typeof ELIGIBILITY)[number];

/** The form of seed 004 表8 「New eID 加密區 API 介接申請書」 (the requested rights are beside it). */
export interface ApplicationForm {
  /** 目的事業主管機關 (zh, en) and its 機關代碼. */
  readonly competentAuthority: LocalizedText;
  readonly agencyCode: string;
  /** 需用機關單位名稱 (zh, en), 統一編號, 適用行業代碼, 機關單位地址. */
  readonly agencyName: LocalizedText;
  readonly taxId: string;
  readonly industryCode: string;
  readonly address: string;
  /** 申請目的. */
  readonly purpose: string;
  /** 預計測試日期 (YYYY-MM-DD). */
  readonly plannedTestDate: string;
  /** 主機網路位址 and 子網路遮罩. */
  readonly hostAddresses: readonly string[];
  readonly subnetMask?: string;
  readonly eligibility?: Eligibility;
  /** 聯絡人, 連絡電話, 電子信箱. */
  readonly contact: { readonly name: string; readonly phone: string; readonly email: string };
  /** Later additions (organisation certificate, test phase …) without a migration. */
  readonly [extension: string]: unknown;
}

export interface ApplicationDecision {
  readonly outcome: 'approved' | 'rejected';
  readonly reason?: RejectionReason;
  readonly text?: string;
  readonly by: string;
  readonly at: string;
}

/**
 * How an application was filed (seed 004 第陸章 壹.一): online, signed with an organisation
 * certificate (工商憑證, 組織憑證, 政府機關憑證) — a detached CMS signature over the canonical
 * application (registry/canonical.ts) — or on paper, which waits for the signed copy.
 */
export type ApplicationFiling =
  | {
      readonly method: 'signed';
      /** The organisation identifier of the certificate (統一編號 / agency code), equal to form.taxId. */
      readonly organisationId: string;
      readonly certificate: {
        readonly subject: string;
        readonly issuer: string;
        readonly serial: string;
        readonly sha256: string;
        readonly notAfter: string;
      };
      /** The detached CMS SignedData, base64 DER, kept as evidence. */
      readonly signature: string;
      /** SHA-256 (hex) of the canonical application the signature covers. */
      readonly contentSha256: string;
      readonly at: string;
    }
  | {
      readonly method: 'paper';
      readonly at: string;
      /** The reviewer who recorded that the signed, sealed paper copy arrived. */
      readonly received?: { readonly by: string; readonly at: string; readonly note?: string };
    };

/** Seed 004 表8 受理機關審核資料: 審核結果 提供 / 無法提供 and 無法提供原因. */
export const ASSESSMENT_REASONS = ['form-incomplete', 'line-mismatch', 'other'] as const;
export type AssessmentReason = (typeof ASSESSMENT_REASONS)[number];

/** The reviewer's half of 表8. */
export interface ApplicationAssessment {
  readonly result: 'provide' | 'cannot-provide';
  readonly reasons: readonly AssessmentReason[];
  readonly text?: string;
  /** 預計測試日期, 預計連線日期 (YYYY-MM-DD). */
  readonly plannedTestDate?: string;
  readonly plannedConnectionDate?: string;
  /**
   * 網路位址 of both sides in CIDR: the applicant's (communication device, security gateway, API
   * gateway) — the addresses its calls are accepted from — and the Ministry's.
   */
  readonly applicantNetworks: readonly string[];
  readonly ministryNetworks: readonly string[];
  readonly by: string;
  readonly at: string;
}

/** One step in an application's life, and who took it (the four-eyes rule reads these). */
export interface ApplicationStep {
  readonly step:
    | 'create'
    | 'update'
    | 'submit'
    | 'review'
    | 'request-changes'
    | 'approve'
    | 'reject'
    | 'paper-received';
  readonly by: string;
  readonly at: string;
  /** The reviewer's findings, the changes asked for, the decision's text. */
  readonly note?: string;
}

/** Statuses of an application still in progress (one per eService at a time). */
export const OPEN_STATUSES: readonly ApplicationStatus[] = ['draft', 'submitted', 'reviewed', 'approved'];

export interface ApplicationRecord {
  readonly id: string;
  readonly eServiceId: string;
  readonly kind: 'initial' | 'amendment';
  readonly status: ApplicationStatus;
  readonly form: ApplicationForm;
  readonly requestedFields: readonly FieldId[];
  readonly requestedFunctions: readonly FunctionId[];
  readonly decision?: ApplicationDecision;
  readonly filing?: ApplicationFiling;
  readonly assessment?: ApplicationAssessment;
  readonly history: readonly ApplicationStep[];
  readonly version: number;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly submittedAt?: Date;
  readonly decidedAt?: Date;
  readonly activatedAt?: Date;
}

export type TerminalStatus = 'generating' | 'requested' | 'active' | 'superseded' | 'withdrawn';
export type TerminalPurpose = 'initial' | 'amendment' | 'renewal' | 'imported' | 'promotion';

export interface TerminalRecord {
  readonly chr: string;
  readonly eServiceId: string;
  readonly applicationId?: string;
  readonly status: TerminalStatus;
  readonly purpose: TerminalPurpose;
  /** Which EAC PKI issued it: the test environment's DV (test cards only) or the production DV. */
  readonly environment: 'test' | 'production';
  readonly keyStore: 'sealed' | 'pkcs11';
  /** Sealed PKCS#8 (AES-256-GCM under registry.keyFile, the CHR as associated data). */
  readonly privateKey?: Buffer;
  readonly keyLabel?: string;
  /** SubjectPublicKeyInfo DER of the terminal key. */
  readonly publicKey?: Buffer;
  /** The CV certificate request (TR-03110-3 §C.2). */
  readonly request?: Buffer;
  readonly certificate?: Buffer;
  readonly description: Buffer;
  readonly chat: Buffer;
  readonly effectiveDate?: string;
  readonly expirationDate?: string;
  readonly previousChr?: string;
  readonly createdAt: Date;
  readonly activatedAt?: Date;
}
