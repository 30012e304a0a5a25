/**
 * Minimal typings for oidc-provider 9 (the package ships none): only the surface src/oidc uses.
 * Configuration is passed through as a plain object (checked by oidc-provider at construction).
 *
 * @spec oidc-core §3.1 (the provider implements the code flow)
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export type UnknownObject = Record<string, unknown>;

  export interface KoaContextLike {
    req: IncomingMessage;
    res: ServerResponse;
    method: string;
    path: string;
    status: number;
    body: unknown;
    type: string;
    get(header: string): string;
    set(header: string, value: string): void;
    oidc: OidcContext;
    [key: string]: unknown;
  }

  export interface OidcContext {
    client?: ClientInstance;
    params?: UnknownObject;
    session?: SessionInstance;
    entities: UnknownObject;
    claims: UnknownObject;
    route: string;
    uid: string;
    [key: string]: unknown;
  }

  export interface ClientInstance {
    clientId: string;
    subjectType?: string;
    sectorIdentifier?: string;
    redirectUris: string[];
    postLogoutRedirectUris?: string[];
    clientName?: string;
    metadata(): UnknownObject;
    [key: string]: unknown;
  }

  export interface SessionInstance {
    accountId?: string;
    uid: string;
    jti: string;
    authTime(): number | undefined;
    acr?: string;
    amr?: string[];
    [key: string]: unknown;
  }

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; reasons: string[]; details: UnknownObject };
    params: UnknownObject & { client_id: string; redirect_uri?: string; scope?: string; claims?: string; acr_values?: string; ui_locales?: string; state?: string };
    session?: { accountId: string; uid: string; cookie: string; acr?: string; amr?: string[] };
    grantId?: string;
    lastSubmission?: UnknownObject;
    returnTo: string;
    exp: number;
    jti: string;
    [key: string]: unknown;
  }

  export interface InteractionResults {
    login?: { accountId: string; acr?: string; amr?: string[]; remember?: boolean; ts?: number };
    consent?: { grantId?: string };
    error?: string;
    error_description?: string;
    [key: string]: unknown;
  }

  export interface GrantInstance {
    accountId?: string;
    clientId?: string;
    jti: string;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    save(ttl?: number): Promise<string>;
    [key: string]: unknown;
  }

  export interface GrantConstructor {
    new (properties: { accountId: string; clientId: string }): GrantInstance;
    find(id: string): Promise<GrantInstance | undefined>;
  }

  export interface ModelConstructor<T> {
    find(id: string, options?: { ignoreExpiration?: boolean }): Promise<T | undefined>;
  }

  export class Provider {
    constructor(issuer: string, configuration?: UnknownObject);
    readonly issuer: string;
    proxy: boolean;
    readonly Grant: GrantConstructor;
    readonly Client: ModelConstructor<ClientInstance>;
    readonly Session: ModelConstructor<SessionInstance>;
    readonly Interaction: ModelConstructor<UnknownObject>;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: InteractionResults, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    interactionResult(req: IncomingMessage, res: ServerResponse, result: InteractionResults, options?: { mergeWithLastSubmission?: boolean }): Promise<string>;
    on(event: string, listener: (...args: unknown[]) => void): this;
    use(middleware: (ctx: KoaContextLike, next: () => Promise<void>) => Promise<void>): void;
  }

  export class OIDCProviderError extends Error {
    error: string;
    error_description?: string;
    status: number;
    statusCode: number;
    expose: boolean;
  }

  type ErrorClass = new (description?: string, detail?: string) => OIDCProviderError;

  export const errors: {
    OIDCProviderError: typeof OIDCProviderError;
    InvalidGrant: ErrorClass;
    InvalidRequest: ErrorClass;
    InvalidClientMetadata: ErrorClass;
    AccessDenied: ErrorClass;
    UnmetAuthenticationRequirements: ErrorClass;
    [name: string]: ErrorClass | typeof OIDCProviderError;
  };

  export interface CheckInstance {
    readonly reason: string;
  }

  export const interactionPolicy: {
    base(): PromptList;
    Prompt: new (options: { name: string; requestable?: boolean }, ...checks: CheckInstance[]) => PromptInstance;
    Check: new (
      reason: string,
      description: string,
      error: string | ((ctx: KoaContextLike) => boolean | Promise<boolean>),
      check?: (ctx: KoaContextLike) => boolean | symbol | Promise<boolean | symbol>,
    ) => CheckInstance & { readonly NO_NEED_TO_PROMPT: symbol; readonly REQUEST_PROMPT: symbol };
  };

  export interface PromptInstance {
    name: string;
    checks: CheckInstance[] & { add(check: CheckInstance, index?: number): void; get(reason: string): CheckInstance | undefined; remove(reason: string): void };
  }

  export interface PromptList extends Array<PromptInstance> {
    get(name: string): PromptInstance | undefined;
    add(prompt: PromptInstance, index?: number): void;
    remove(name: string): void;
  }

  export default Provider;
}
