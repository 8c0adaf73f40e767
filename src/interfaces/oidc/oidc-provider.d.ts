/**
 * The part of oidc-provider@9's API this front-end uses (the package ships no
 * type declarations). Kept deliberately narrow: configuration objects are
 * checked by oidc-provider itself at construction time.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  import type Koa from 'koa';

  export type Json = Record<string, unknown>;

  export interface ClientLike {
    readonly clientId: string;
    readonly [key: string]: unknown;
  }

  export interface OIDCContext {
    readonly provider: Provider;
    readonly route: string;
    readonly issuer: string;
    readonly client?: ClientLike;
    readonly params?: Json;
    readonly entities: Json;
    readonly result?: Json;
    readonly body?: Json;
    isFapi(...profiles: string[]): string | undefined;
  }

  export type KoaContextWithOIDC = Koa.Context & { oidc: OIDCContext };

  export interface Account {
    readonly accountId: string;
    claims(use: string, scope: string, claims: Json, rejected: string[]): Promise<Json> | Json;
  }

  export interface InteractionResults {
    login?: { accountId: string; acr?: string; amr?: string[]; remember?: boolean; ts?: number };
    consent?: { grantId?: string };
    error?: string;
    error_description?: string;
    [key: string]: unknown;
  }

  export interface Interaction {
    readonly uid: string;
    readonly jti: string;
    readonly exp: number;
    readonly returnTo: string;
    readonly params: Json & { client_id?: string; scope?: string; claims?: string; acr_values?: string };
    readonly prompt: { name: string; reasons: string[]; details: Json };
    readonly grantId?: string;
    readonly session?: { accountId?: string; uid?: string };
    result?: InteractionResults;
    save(ttl: number): Promise<string>;
    persist(): Promise<string>;
    destroy(): Promise<void>;
  }

  export interface Grant {
    readonly jti: string;
    accountId: string;
    clientId: string;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    save(): Promise<string>;
  }

  export interface GrantConstructor {
    new (init: { accountId: string; clientId: string; expiresIn?: number }): Grant;
    find(id: string): Promise<Grant | undefined>;
  }

  export interface Adapter {
    upsert(id: string, payload: Json, expiresIn?: number): Promise<void>;
    find(id: string): Promise<Json | undefined>;
    findByUserCode(userCode: string): Promise<Json | undefined>;
    findByUid(uid: string): Promise<Json | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export type Configuration = Json;

  export class Provider extends Koa {
    constructor(issuer: string, configuration: Configuration);
    readonly issuer: string;
    readonly Interaction: { find(id: string): Promise<Interaction | undefined> };
    readonly Grant: GrantConstructor;
    readonly Client: { find(id: string): Promise<ClientLike | undefined> };
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
    urlFor(name: string, options?: Json): string;
  }

  type ErrorClass = new (
    description?: string,
    detail?: string,
  ) => Error & {
    error: string;
    error_description?: string;
    status: number;
  };

  export const errors: {
    readonly OIDCProviderError: ErrorClass;
    readonly InvalidScope: new (description: string, scope?: string) => Error;
    readonly InvalidRequest: ErrorClass;
    readonly AccessDenied: ErrorClass;
    readonly InvalidClientMetadata: ErrorClass;
    readonly InvalidClientAuth: ErrorClass;
    readonly InvalidGrant: ErrorClass;
    readonly InvalidToken: ErrorClass;
  };

  export class Check {
    constructor(
      reason: string,
      description: string,
      error: string,
      check: (ctx: KoaContextWithOIDC) => boolean | Promise<boolean>,
    );
    static readonly REQUEST_PROMPT: true;
    static readonly NO_NEED_TO_PROMPT: false;
  }

  export interface Prompt {
    readonly name: string;
    readonly checks: Check[] & { add(check: Check, index?: number): void; remove(reason: string): void };
  }

  export type Policy = Prompt[] & { get(name: string): Prompt | undefined };

  export const interactionPolicy: {
    readonly Check: typeof Check;
    base(): Policy;
  };

  export default Provider;
}

/** oidc-provider's development in-memory adapter (an LRU of 1000 entries per provider). */
declare module 'oidc-provider/lib/adapters/memory_adapter.js' {
  import type { Adapter } from 'oidc-provider';
  export function createMemoryAdapter(clockTolerance?: number): (model: string) => Adapter;
}
