import type { Adapter, AdapterPayload } from 'oidc-provider'
import { scoped, type Db } from '../../../db/database.js'

/** identity.oidc_payload: every oidc-provider artefact (session, interaction, grant, code, token). */
export interface OidcPayloadTable {
  'identity.oidc_payload': {
    id: string
    model: string
    payload: AdapterPayload
    grant_id: string | null
    user_code: string | null
    uid: string | null
    expires_at: Date | null
    consumed_at: Date | null
  }
}

const T = 'identity.oidc_payload' as const

/**
 * oidc-provider's storage contract on PostgreSQL (or PGlite) through Kysely: one row per artefact,
 * keyed by model and id, with the secondary keys the provider looks up by (grant, session uid,
 * device user code) as columns. Expiry is compared in the process's time, the time oidc-provider
 * itself uses for `exp`.
 */
export class PgAdapter implements Adapter {
  private readonly db
  constructor(
    db: Db,
    private readonly model: string,
  ) {
    this.db = scoped<OidcPayloadTable>(db)
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void> {
    const row = {
      id,
      model: this.model,
      payload: JSON.stringify(payload) as unknown as AdapterPayload,
      grant_id: typeof payload.grantId === 'string' ? payload.grantId : null,
      user_code: typeof payload.userCode === 'string' ? payload.userCode : null,
      uid: typeof payload.uid === 'string' ? payload.uid : null,
      expires_at: typeof expiresIn === 'number' ? new Date(Date.now() + expiresIn * 1000) : null,
    }
    await this.db
      .insertInto(T)
      .values(row)
      .onConflict((oc) =>
        oc.columns(['model', 'id']).doUpdateSet((eb) => ({
          payload: eb.ref('excluded.payload'),
          grant_id: eb.ref('excluded.grant_id'),
          user_code: eb.ref('excluded.user_code'),
          uid: eb.ref('excluded.uid'),
          expires_at: eb.ref('excluded.expires_at'),
        })),
      )
      .execute()
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return this.findWhere('id', id)
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.findWhere('uid', uid)
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.findWhere('user_code', userCode)
  }

  async consume(id: string): Promise<void> {
    await this.db.updateTable(T).set({ consumed_at: new Date() }).where('model', '=', this.model).where('id', '=', id).execute()
  }

  async destroy(id: string): Promise<void> {
    await this.db.deleteFrom(T).where('model', '=', this.model).where('id', '=', id).execute()
  }

  /** Revokes every artefact of a grant, whatever its model (codes, access and refresh tokens). */
  async revokeByGrantId(grantId: string): Promise<void> {
    await this.db.deleteFrom(T).where('grant_id', '=', grantId).execute()
  }

  private async findWhere(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
    const row = await this.db
      .selectFrom(T)
      .select(['payload', 'expires_at', 'consumed_at'])
      .where('model', '=', this.model)
      .where(column, '=', value)
      .executeTakeFirst()
    if (!row) return undefined
    if (row.expires_at && new Date(row.expires_at).getTime() <= Date.now()) return undefined
    const payload = typeof row.payload === 'string' ? (JSON.parse(row.payload) as AdapterPayload) : row.payload
    return row.consumed_at ? { ...payload, consumed: Math.floor(new Date(row.consumed_at).getTime() / 1000) } : payload
  }
}

/** Deletes expired artefacts; oidc-provider never reads them again. */
export async function purgeExpiredPayloads(db: Db): Promise<number> {
  const res = await scoped<OidcPayloadTable>(db).deleteFrom(T).where('expires_at', '<', new Date()).executeTakeFirst()
  return Number(res.numDeletedRows)
}

/** Drops everything issued to a client, e.g. when the platform admin deletes it. */
export async function deletePayloadsOfClient(db: Db, clientId: string): Promise<void> {
  await scoped<OidcPayloadTable>(db)
    .deleteFrom(T)
    .where((eb) => eb(eb.fn('jsonb_extract_path_text', [eb.ref('payload'), eb.val('clientId')]), '=', clientId))
    .execute()
}
