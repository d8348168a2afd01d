import { sql, type Insertable, type Updateable } from 'kysely'
import { scoped, type Db } from '../../db/database.js'
import type { BundleDefinition } from './model.js'

export interface BundleTable {
  id: string
  code: string
  name: string
  applicable_to: 'person' | 'legal'
  definition: BundleDefinition
  status: 'published' | 'retired'
  version: number
  created_at: Date
  updated_at: Date
}

export interface DraftTable {
  id: string
  bundle_id: string
  bundle_version: number
  owner_id: string
  owner_kind: 'person' | 'legal'
  owner_name: string
  answers: Record<string, string>
  status: 'open' | 'submitted' | 'cancelled'
  group_id: string | null
  group_number: string | null
  version: number
  created_at: Date
  updated_at: Date
  submitted_at: Date | null
}

export type PartyStatus = 'owner' | 'invited' | 'joined' | 'confirmed' | 'declined'
export interface PartyTable {
  id: string
  draft_id: string
  role: string
  invited_phone_hash: string | null
  invited_phone_masked: string | null
  token_hash: string | null
  account_id: string | null
  account_name: string | null
  status: PartyStatus
  updated_at: Date
}

export interface FieldTable {
  draft_id: string
  field: string
  value: unknown
  source: 'prefill' | 'typed'
  source_label: string | null
  party: string
  version: number
  updated_by: string
  updated_at: Date
}

export interface MaterialTable {
  draft_id: string
  item_code: string
  material_code: string
  kind: 'license' | 'registry' | 'bundle'
  label: string
  party: string
  license_id: string | null
  license_number: string | null
  license_type: string | null
  license_name: string | null
  grant_id: string | null
  created_at: Date
}

/** A file uploaded to a draft (migration 0022); the bytes are in the cases module's storage. */
export interface UploadTable {
  id: string
  draft_id: string
  item_code: string
  material_code: string
  party: string
  file_name: string
  content_type: string
  size_bytes: number
  sm3: string
  storage_key: string
  uploaded_by: string
  created_at: Date
}

interface OnethingTables {
  'onething.bundle': BundleTable
  'onething.draft': DraftTable
  'onething.party': PartyTable
  'onething.field': FieldTable
  'onething.material': MaterialTable
  'onething.upload': UploadTable
}

const jsonb = (v: unknown) => sql<never>`${JSON.stringify(v)}::jsonb`

/** SQL of the onething module, on the handle it is given (the database or a transaction). */
export function createOnethingStore(handle: Db) {
  const db = scoped<OnethingTables>(handle)
  return {
    async bundleByCode(code: string): Promise<BundleTable | undefined> {
      return db.selectFrom('onething.bundle').selectAll().where('code', '=', code).executeTakeFirst()
    },
    async bundleById(id: string): Promise<BundleTable | undefined> {
      return db.selectFrom('onething.bundle').selectAll().where('id', '=', id).executeTakeFirst()
    },
    async listBundles(applicableTo?: 'person' | 'legal'): Promise<BundleTable[]> {
      let q = db.selectFrom('onething.bundle').selectAll().where('status', '=', 'published')
      if (applicableTo) q = q.where('applicable_to', '=', applicableTo)
      return q.orderBy('code').execute()
    },
    async upsertBundle(row: BundleTable): Promise<BundleTable> {
      return db
        .insertInto('onething.bundle')
        .values({ ...row, definition: jsonb(row.definition) })
        .onConflict((oc) =>
          oc.column('code').doUpdateSet({ name: row.name, applicable_to: row.applicable_to, definition: jsonb(row.definition), status: row.status, updated_at: row.updated_at, version: sql`onething.bundle.version + 1` }),
        )
        .returningAll()
        .executeTakeFirstOrThrow()
    },

    async insertDraft(row: DraftTable): Promise<void> {
      await db.insertInto('onething.draft').values({ ...row, answers: jsonb(row.answers) }).execute()
    },
    async draftForUpdate(id: string): Promise<DraftTable | undefined> {
      return db.selectFrom('onething.draft').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
    },
    async draft(id: string): Promise<DraftTable | undefined> {
      return db.selectFrom('onething.draft').selectAll().where('id', '=', id).executeTakeFirst()
    },
    async updateDraft(id: string, changes: Updateable<DraftTable>): Promise<void> {
      const c: Record<string, unknown> = { ...changes }
      if (changes.answers) c.answers = jsonb(changes.answers)
      await db.updateTable('onething.draft').set(c).where('id', '=', id).execute()
    },
    /** Drafts the account owns or takes part in (not declined), newest first. */
    async draftsOf(accountId: string, limit: number, offset: number): Promise<{ rows: DraftTable[]; total: number }> {
      const where = db
        .selectFrom('onething.draft')
        .where((eb) =>
          eb.or([
            eb('owner_id', '=', accountId),
            eb.exists(eb.selectFrom('onething.party').select('id').whereRef('onething.party.draft_id', '=', 'onething.draft.id').where('account_id', '=', accountId).where('status', '!=', 'declined')),
          ]),
        )
      const [rows, n] = await Promise.all([
        where.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
        where.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
      ])
      return { rows, total: Number(n.n) }
    },

    async parties(draftId: string): Promise<PartyTable[]> {
      return db.selectFrom('onething.party').selectAll().where('draft_id', '=', draftId).orderBy('role').execute()
    },
    async partyByToken(hash: string): Promise<PartyTable | undefined> {
      return db.selectFrom('onething.party').selectAll().where('token_hash', '=', hash).forUpdate().executeTakeFirst()
    },
    async upsertParty(row: PartyTable): Promise<void> {
      await db
        .insertInto('onething.party')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['draft_id', 'role']).doUpdateSet({
            invited_phone_hash: row.invited_phone_hash, invited_phone_masked: row.invited_phone_masked, token_hash: row.token_hash,
            account_id: row.account_id, account_name: row.account_name, status: row.status, updated_at: row.updated_at,
          }),
        )
        .execute()
    },
    async setPartyStatus(draftId: string, role: string, status: PartyStatus, at: Date, account?: { id: string; name: string }): Promise<void> {
      await db
        .updateTable('onething.party')
        .set({ status, updated_at: at, ...(account ? { account_id: account.id, account_name: account.name } : {}) })
        .where('draft_id', '=', draftId)
        .where('role', '=', role)
        .execute()
    },

    async fields(draftId: string): Promise<FieldTable[]> {
      return db.selectFrom('onething.field').selectAll().where('draft_id', '=', draftId).orderBy('field').execute()
    },
    async fieldsForUpdate(draftId: string): Promise<FieldTable[]> {
      return db.selectFrom('onething.field').selectAll().where('draft_id', '=', draftId).forUpdate().execute()
    },
    async putField(row: Insertable<FieldTable>): Promise<void> {
      const value = jsonb(row.value ?? null)
      await db
        .insertInto('onething.field')
        .values({ ...row, value })
        .onConflict((oc) =>
          oc.columns(['draft_id', 'field']).doUpdateSet({ value, source: row.source, source_label: row.source_label ?? null, version: row.version, updated_by: row.updated_by, updated_at: row.updated_at }),
        )
        .execute()
    },

    async materials(draftId: string): Promise<MaterialTable[]> {
      return db.selectFrom('onething.material').selectAll().where('draft_id', '=', draftId).orderBy('item_code').orderBy('material_code').execute()
    },
    async putMaterial(row: MaterialTable): Promise<void> {
      await db
        .insertInto('onething.material')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['draft_id', 'item_code', 'material_code']).doUpdateSet({
            kind: row.kind, label: row.label, party: row.party, license_id: row.license_id, license_number: row.license_number,
            license_type: row.license_type, license_name: row.license_name, grant_id: row.grant_id, created_at: row.created_at,
          }),
        )
        .execute()
    },
    async removeLicenseMaterials(draftId: string, licenseType: string, party: string): Promise<number> {
      const r = await db.deleteFrom('onething.material').where('draft_id', '=', draftId).where('kind', '=', 'license').where('license_type', '=', licenseType).where('party', '=', party).executeTakeFirst()
      return Number(r.numDeletedRows)
    },

    async uploads(draftId: string): Promise<UploadTable[]> {
      return db.selectFrom('onething.upload').selectAll().where('draft_id', '=', draftId).orderBy('created_at').orderBy('id').execute()
    },
    async insertUpload(row: UploadTable): Promise<void> {
      await db.insertInto('onething.upload').values(row).execute()
    },
    async deleteUpload(draftId: string, id: string): Promise<UploadTable | undefined> {
      return db.deleteFrom('onething.upload').where('draft_id', '=', draftId).where('id', '=', id).returningAll().executeTakeFirst()
    },
    /** A leaving party's files (their records; the caller removes the bytes after commit). */
    async deletePartyUploads(draftId: string, party: string): Promise<UploadTable[]> {
      return db.deleteFrom('onething.upload').where('draft_id', '=', draftId).where('party', '=', party).returningAll().execute()
    },

    /** Everything a party provided (their consents and registry confirmations), when they leave. */
    async removePartyMaterials(draftId: string, party: string): Promise<number> {
      const r = await db.deleteFrom('onething.material').where('draft_id', '=', draftId).where('party', '=', party).executeTakeFirst()
      return Number(r.numDeletedRows)
    },
  }
}

export type OnethingStore = ReturnType<typeof createOnethingStore>
