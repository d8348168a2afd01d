import crypto from 'node:crypto'
import { scoped, type Db } from '../../../db/database.js'
import { deriveKey, seal, unseal } from '../../../platform/gm.js'

/** identity.oidc_key: the provider's private signing keys (JWK), sealed with the platform secret. */
export interface OidcKeyTable {
  'identity.oidc_key': {
    kid: string
    alg: string
    sealed: string
    created_at: Date
    retired_at: Date | null
  }
}

/** Algorithms the provider signs ID tokens with; RS256 first because every RP must support it. */
const algorithms = ['RS256', 'ES256'] as const
type Alg = (typeof algorithms)[number]

export type PrivateJwk = crypto.JsonWebKey & { kid: string; alg: Alg; use: 'sig' }

function generate(alg: Alg): PrivateJwk {
  const { privateKey } =
    alg === 'RS256'
      ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
      : crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = privateKey.export({ format: 'jwk' })
  const publicJwk = crypto.createPublicKey(privateKey).export({ format: 'jwk' })
  // RFC 7638 thumbprint as key id: stable, and the same on every server process.
  const members = alg === 'RS256' ? { e: publicJwk.e, kty: publicJwk.kty, n: publicJwk.n } : { crv: publicJwk.crv, kty: publicJwk.kty, x: publicJwk.x, y: publicJwk.y }
  const kid = crypto.createHash('sha256').update(JSON.stringify(members)).digest('base64url')
  return { ...jwk, kid, alg, use: 'sig' }
}

/**
 * The signing key set: generated once (one key per algorithm) and kept in the database, so every
 * server process signs with the same keys and RPs' cached JWKS stay valid across restarts. A
 * concurrent first start may add a second key of an algorithm; both are published, and every
 * process signs with the oldest.
 */
export async function loadSigningKeys(db: Db, secret: string): Promise<PrivateJwk[]> {
  const store = scoped<OidcKeyTable>(db)
  const context = 'identity.oidc.signing-keys'
  const current = () =>
    store.selectFrom('identity.oidc_key').select(['kid', 'alg', 'sealed']).where('retired_at', 'is', null).orderBy('created_at').orderBy('kid').execute()
  let rows = await current()
  const missing = algorithms.filter((alg) => !rows.some((r) => r.alg === alg))
  if (missing.length) {
    for (const alg of missing) {
      const jwk = generate(alg)
      await store
        .insertInto('identity.oidc_key')
        .values({ kid: jwk.kid, alg, sealed: seal(secret, context, Buffer.from(JSON.stringify(jwk)), jwk.kid), created_at: new Date(), retired_at: null })
        .onConflict((oc) => oc.column('kid').doNothing())
        .execute()
    }
    rows = await current()
  }
  const keys = rows.map((r) => JSON.parse(unseal(secret, context, r.sealed, r.kid).toString('utf8')) as PrivateJwk)
  // oidc-provider signs with the first key of an algorithm in the set.
  return algorithms.flatMap((alg) => keys.filter((k) => k.alg === alg))
}

/** Keys for oidc-provider's signed cookies, derived from the platform secret (same on every process). */
export function cookieKeys(secret: string): string[] {
  return [deriveKey(secret, 'identity.oidc.cookies').toString('base64url')]
}
