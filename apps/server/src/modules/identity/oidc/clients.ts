import crypto from 'node:crypto'
import type { UnknownObject } from 'oidc-provider'
import { scoped, type Db } from '../../../db/database.js'
import type { Audit, AuditActor } from '../../../platform/audit.js'
import type { Clock } from '../../../platform/clock.js'
import { newId } from '../../../platform/ids.js'
import { deletePayloadsOfClient } from './adapter.js'
import { OidcClientNotFoundError } from './errors.js'
import { seal, unseal } from '../../../platform/gm.js'

/** identity.oidc_client: relying parties registered by the platform admin. */
export interface OidcClientTable {
  'identity.oidc_client': {
    client_id: string
    name: string
    redirect_uris: string[]
    post_logout_redirect_uris: string[]
    secret_sealed: string
    created_at: Date
    created_by: string | null
  }
}

/** A registered relying party as the admin face sees it (never with its secret). */
export interface OidcClient {
  clientId: string
  name: string
  redirectUris: string[]
  postLogoutRedirectUris: string[]
  createdAt: Date
}

export interface NewOidcClient {
  name: string
  redirectUris: string[]
  postLogoutRedirectUris?: string[]
}

const T = 'identity.oidc_client' as const

export interface OidcClientDeps {
  db: Db
  clock: Clock
  audit: Audit
  /** The platform secret; client secrets are sealed with a key derived from it. */
  secret: string
}

/** The metadata oidc-provider loads for a client: confidential, authorization code only. */
export function metadataOf(c: { clientId: string; name: string; redirectUris: string[]; postLogoutRedirectUris: string[] }, secret: string): UnknownObject {
  return {
    client_id: c.clientId,
    client_secret: secret,
    client_name: c.name,
    redirect_uris: c.redirectUris,
    post_logout_redirect_uris: c.postLogoutRedirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }
}

/**
 * Relying-party registration. oidc-provider compares client secrets in the clear
 * (client_secret_basic), so the secret is sealed (AES-256-GCM), not hashed; the admin sees it
 * once, in the registration answer.
 */
export function createOidcClientService(deps: OidcClientDeps) {
  const db = scoped<OidcClientTable>(deps.db)
  const context = 'identity.oidc.client-secrets'
  const toClient = (r: OidcClientTable[typeof T]): OidcClient => ({
    clientId: r.client_id,
    name: r.name,
    redirectUris: r.redirect_uris,
    postLogoutRedirectUris: r.post_logout_redirect_uris,
    createdAt: new Date(r.created_at),
  })

  return {
    /** Every registered client, newest first. */
    async list(): Promise<OidcClient[]> {
      const rows = await db.selectFrom(T).selectAll().orderBy('created_at', 'desc').orderBy('client_id', 'desc').execute()
      return rows.map(toClient)
    },

    /** Registers a client and returns it with its secret (the only time the secret is shown). */
    async register(actor: AuditActor, input: NewOidcClient): Promise<OidcClient & { clientSecret: string }> {
      const client: OidcClient = {
        clientId: newId('cli'),
        name: input.name,
        redirectUris: input.redirectUris,
        postLogoutRedirectUris: input.postLogoutRedirectUris ?? [],
        createdAt: deps.clock.now(),
      }
      const clientSecret = crypto.randomBytes(32).toString('base64url')
      await deps.db.transaction().execute(async (trx) => {
        await scoped<OidcClientTable>(trx)
          .insertInto(T)
          .values({
            client_id: client.clientId,
            name: client.name,
            redirect_uris: JSON.stringify(client.redirectUris) as unknown as string[],
            post_logout_redirect_uris: JSON.stringify(client.postLogoutRedirectUris) as unknown as string[],
            secret_sealed: seal(deps.secret, context, Buffer.from(clientSecret), client.clientId),
            created_at: client.createdAt,
            created_by: actor.actorId,
          })
          .execute()
        await deps.audit.record(trx, actor, {
          action: 'identity.oidc.client.registered',
          targetType: 'oidc_client',
          targetId: client.clientId,
          detail: { name: client.name, redirectUris: client.redirectUris, postLogoutRedirectUris: client.postLogoutRedirectUris },
          security: true,
        })
      })
      return { ...client, clientSecret }
    },

    /**
     * Deletes a client and everything issued to it (grants, codes, tokens stop working at once).
     * @throws OidcClientNotFoundError
     */
    async remove(actor: AuditActor, clientId: string): Promise<void> {
      await deps.db.transaction().execute(async (trx) => {
        const row = await scoped<OidcClientTable>(trx).deleteFrom(T).where('client_id', '=', clientId).returning(['name']).executeTakeFirst()
        if (!row) throw new OidcClientNotFoundError()
        await deletePayloadsOfClient(trx, clientId)
        await deps.audit.record(trx, actor, {
          action: 'identity.oidc.client.deleted',
          targetType: 'oidc_client',
          targetId: clientId,
          detail: { name: row.name },
          security: true,
        })
      })
    },

    /** oidc-provider metadata of a client (with its secret unsealed), for the provider's Client model. */
    async metadata(clientId: string): Promise<UnknownObject | undefined> {
      const row = await db.selectFrom(T).selectAll().where('client_id', '=', clientId).executeTakeFirst()
      if (!row) return undefined
      return metadataOf(toClient(row), unseal(deps.secret, context, row.secret_sealed, row.client_id).toString('utf8'))
    },
  }
}

export type OidcClientService = ReturnType<typeof createOidcClientService>
