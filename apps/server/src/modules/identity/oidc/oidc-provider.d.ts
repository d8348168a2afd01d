/**
 * The part of panva's `oidc-provider` v9 that Yiwang uses. The package ships no types and no
 * `@types/oidc-provider` is installed, so these declarations follow lib/provider.js,
 * lib/models/*.js and lib/helpers/defaults.js of the installed version.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http'

  export type UnknownObject = Record<string, unknown>

  /** What an adapter stores for one artefact; oidc-provider owns its shape. */
  export interface AdapterPayload extends UnknownObject {
    jti?: string
    grantId?: string
    userCode?: string
    uid?: string
    consumed?: unknown
    clientId?: string
  }

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void>
    find(id: string): Promise<AdapterPayload | undefined>
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>
    findByUid(uid: string): Promise<AdapterPayload | undefined>
    consume(id: string): Promise<void>
    destroy(id: string): Promise<void>
    revokeByGrantId(grantId: string): Promise<void>
  }

  export interface Account {
    accountId: string
    claims(use: 'id_token' | 'userinfo', scope: string, claims: UnknownObject, rejected: string[]): Promise<UnknownObject> | UnknownObject
  }

  export interface ClientModel {
    clientId: string
    clientName?: string
    redirectUris: string[]
    postLogoutRedirectUris?: string[]
  }

  export interface SessionModel {
    accountId?: string
    uid: string
  }

  export interface OIDCContext {
    route: string
    client?: ClientModel
    session?: SessionModel
    params?: UnknownObject
    provider: Provider
  }

  export interface KoaCookies {
    get(name: string, options?: UnknownObject): string | undefined
    set(name: string, value: string | null, options?: UnknownObject): void
  }

  /** The Koa context oidc-provider hands to its configuration functions. */
  export interface KoaContextWithOIDC {
    oidc: OIDCContext
    cookies: KoaCookies
    ip: string
    req: IncomingMessage
    res: ServerResponse
    body: unknown
    type: string
    status: number
    host: string
    get(header: string): string
  }

  export interface PromptDetail {
    name: string
    reasons: string[]
    details: {
      missingOIDCScope?: string[]
      missingOIDCClaims?: string[]
      missingResourceScopes?: Record<string, string[]>
      [key: string]: unknown
    }
  }

  export interface InteractionResults extends UnknownObject {
    login?: { accountId: string; acr?: string; amr?: string[]; remember?: boolean; ts?: number }
    consent?: { grantId?: string }
    error?: string
    error_description?: string
  }

  export interface Interaction {
    uid: string
    jti: string
    exp: number
    returnTo: string
    prompt: PromptDetail
    params: UnknownObject & { client_id?: string; scope?: string; redirect_uri?: string }
    session?: { accountId: string; uid?: string; cookie?: string }
    grantId?: string
    lastSubmission?: InteractionResults
    result?: InteractionResults
  }

  export interface Grant {
    jti: string
    accountId: string
    clientId: string
    addOIDCScope(scope: string): void
    addOIDCClaims(claims: string[]): void
    addResourceScope(indicator: string, scope: string): void
    getOIDCScope(): string
    save(ttl?: number): Promise<string>
  }

  export interface GrantStatic {
    new (properties: { accountId: string; clientId: string }): Grant
    find(id: string): Promise<Grant | undefined>
  }

  export interface ClientStatic {
    find(id: string): Promise<ClientModel | undefined>
    validate(metadata: UnknownObject): Promise<void>
  }

  export interface InteractionStatic {
    find(id: string): Promise<Interaction | undefined>
  }

  export type Configuration = UnknownObject

  export class Provider {
    constructor(issuer: string, configuration?: Configuration)
    readonly issuer: string
    proxy: boolean
    readonly Grant: GrantStatic
    readonly Client: ClientStatic
    readonly Interaction: InteractionStatic
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>
    urlFor(name: string, options?: UnknownObject): string
    on(event: string, listener: (...args: any[]) => void): this
    /** Koa middleware that runs before the provider's own routes. */
    use(middleware: (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>): this
  }

  export class Check {
    constructor(reason: string, description: string, check: (ctx: KoaContextWithOIDC) => boolean | Promise<boolean>)
    constructor(reason: string, description: string, error: string, check: (ctx: KoaContextWithOIDC) => boolean | Promise<boolean>)
    static readonly REQUEST_PROMPT: true
    static readonly NO_NEED_TO_PROMPT: false
  }

  export interface Prompt {
    name: string
    checks: Check[] & { add(check: Check, index?: number): void }
  }

  export type Policy = Prompt[] & { get(name: string): Prompt | undefined }

  export const interactionPolicy: {
    Check: typeof Check
    base(): Policy
  }

  export const errors: {
    SessionNotFound: new (...args: any[]) => Error
    OIDCProviderError: new (...args: any[]) => Error & { error: string; error_description?: string; status: number }
  }

  export default Provider
}
