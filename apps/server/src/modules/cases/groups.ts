import { sql } from 'kysely'
import type { Db } from '../../db/database.js'
import { scoped } from '../../db/database.js'
import type { AuditActor } from '../../platform/audit.js'
import { chinaDate } from '../../platform/calendar.js'
import type { Core } from '../../platform/core.js'
import { AppError } from '../../platform/errors.js'
import { registerMessages, t, type Locale } from '../../platform/i18n.js'
import { newId } from '../../platform/ids.js'
import type { DomainEvent } from '../../platform/outbox.js'
import type { Principal } from '../../platform/roles.js'
import { validateFormData, type ServiceItemVersion } from '../catalog/index.js'
import { CaseNotFoundError, InvalidFormError, ItemVersionNotPublishedError, MissingMaterialsError, NotApplicableError, UnknownItemError, UnknownMaterialError } from './errors.js'
import type { StoredFile } from './files.js'
import { casesEvents, type ApplicationEventData } from './events.js'
import zh from './messages/groups.zh-CN.json' with { type: 'json' }
import en from './messages/groups.en.json' with { type: 'json' }
import type { CatalogPort, OrgPort } from './service.js'
import { awaitedRole, type Status } from './state.js'
import { createCasesStore, untouchedCase, type ApplicationRow, type CasesTables, type NotificationRow } from './store.js'
import type { RequestMeta } from './types.js'

registerMessages({ 'zh-CN': zh, en })

/**
 * Case groups (一件事一次办): one parent the applicant sees and one ordinary application per item
 * beneath it, created together in one transaction (all or nothing). Each child is routed to its
 * department's queues and worked with the normal state machine; the parent has no state of its
 * own — its status, deadline and timeline are derived from the children on every read. Notices
 * about children are collected here: a 补正 reaches the applicant once, naming the department,
 * and the results are announced once, when every child has one.
 */

/** How one child's form was filled, recorded on the case (the workbench and metrics read it). */
export interface FillStats {
  prefilled: number
  typed: number
  materialsFromLicenses: number
  /** Materials confirmed from a base registry or produced by another item of the same group. */
  materialsShared: number
}

/** A material satisfied without an upload. */
export interface SatisfiedMaterial {
  code: string
  kind: 'license' | 'registry' | 'bundle'
  /** What stands in for it, for the clerk (e.g. 电子营业执照 91140…, 人口库, 出生医学证明（本件同时办理）). */
  label: string
  license?: { id: string; number: string; type: string; name: string; grantId: string | null }
}

export interface NewGroupChild {
  /** A pre-assigned case id (`case_…`), when consents must name the case before it exists. */
  id?: string
  itemVersionId: string
  formData: Record<string, unknown>
  materials: SatisfiedMaterial[]
  /** Files uploaded before the case existed (a bundle draft's, stored by CasesService.storeFile): they become its case files. */
  files?: (StoredFile & { materialCode: string; uploadedBy: string; uploadedAt: Date })[]
  fill: FillStats
}

export interface NewGroup {
  title: string
  source: string
  parties?: { accountId: string; name: string; role: string }[]
  children: NewGroupChild[]
  /** The group's own counts (fields shared by several children counted once); default: the children's sum. */
  fill?: FillStats
}

export const groupStatuses = ['submitted', 'in_progress', 'supplement_requested', 'completed', 'withdrawn'] as const
export type GroupStatus = (typeof groupStatuses)[number]

/** Statuses after which a child has its outcome (a result, a refusal, or nothing more to come). */
const settled: readonly Status[] = ['result_issued', 'delivered', 'closed', 'not_accepted', 'denied', 'withdrawn']

export interface GroupChild {
  id: string
  number: string | null
  status: Status
  itemCode: string
  itemName: string
  departmentId: string
  departmentName: string
  dueAt: Date | null
  version: number
  fill: FillStats | null
  materials: SatisfiedMaterial[]
  supplement: ApplicationRow['supplement']
}

export interface GroupTimelineEntry {
  applicationId: string
  departmentName: string
  itemName: string
  action: string
  toStatus: Status
  at: Date
}

export interface GroupDetail {
  id: string
  number: string
  title: string
  source: string
  status: GroupStatus
  applicantName: string
  /** The latest deadline of the children (the parent is done when the last one is). */
  dueAt: Date | null
  createdAt: Date
  parties: { accountId: string; name: string; role: string }[]
  fill: FillStats
  children: GroupChild[]
  /** Departments awaiting a 补正 from the applicant, with what they asked for. */
  supplements: { applicationId: string; departmentName: string; itemName: string; items: { description: string }[]; message: string | null }[]
  /** Every child's outcome, only once every child has one (results arrive together). */
  results: { applicationId: string; itemName: string; departmentName: string; status: Status; documentNumber: string | null; summary: string | null }[] | null
  timeline: GroupTimelineEntry[]
}

export interface GroupSummary {
  id: string
  number: string
  title: string
  status: GroupStatus
  dueAt: Date | null
  createdAt: Date
  children: { id: string; itemName: string; departmentName: string; status: Status }[]
}

interface GroupTable {
  id: string
  number: string
  applicant_id: string
  applicant_kind: 'person' | 'legal'
  applicant_name: string
  title: string
  source: string
  division_code: string
  parties: { accountId: string; name: string; role: string }[]
  fill: FillStats
  results_notified_at: Date | null
  created_at: Date
}

/** The columns migration 0016 adds to cases.application, read only here. */
interface ChildColumns {
  group_id: string | null
  fill_stats: (FillStats & { materials?: SatisfiedMaterial[] }) | null
}

interface GroupTables extends CasesTables {
  'cases.application_group': GroupTable
  'cases.application': CasesTables['cases.application'] & ChildColumns
  'cases.license_material': {
    application_id: string
    material_code: string
    license_id: string
    license_number: string
    license_type: string
    license_name: string
    grant_id: string | null
    attached_by: string
    attached_at: Date
  }
}

type ChildRow = ApplicationRow & ChildColumns

const jsonb = (v: unknown) => sql<never>`${JSON.stringify(v)}::jsonb`
const emptyFill: FillStats = { prefilled: 0, typed: 0, materialsFromLicenses: 0, materialsShared: 0 }

export type CaseGroupsDeps = Pick<Core, 'db' | 'clock' | 'audit' | 'outbox' | 'logger'> & { catalog: CatalogPort; org: OrgPort }
export type CaseGroups = ReturnType<typeof createCaseGroups>

export function createCaseGroups(deps: CaseGroupsDeps) {
  const { db, clock, audit, outbox, catalog, org, logger } = deps
  const q = (h: Db = db) => scoped<GroupTables>(h)

  const actorOf = (by: Principal, meta: RequestMeta): AuditActor => ({
    actorId: by.accountId, actorKind: by.kind, actorName: by.name, ip: meta.ip ?? null, userAgent: meta.userAgent?.slice(0, 300) ?? null,
  })

  async function version(id: string): Promise<ServiceItemVersion | null> {
    try {
      return (await catalog.getVersion(id)) ?? null
    } catch (err) {
      if (err instanceof AppError && err.status === 404) return null
      throw err
    }
  }

  function deriveStatus(children: { status: Status }[]): GroupStatus {
    if (children.some((c) => c.status === 'supplement_requested')) return 'supplement_requested'
    if (children.every((c) => c.status === 'withdrawn')) return 'withdrawn'
    if (children.every((c) => settled.includes(c.status))) return 'completed'
    if (children.every((c) => c.status === 'submitted')) return 'submitted'
    return 'in_progress'
  }

  const latest = (ds: (Date | null)[]) =>
    ds.reduce<Date | null>((m, d) => (d && (!m || new Date(d).getTime() > m.getTime()) ? new Date(d) : m), null)

  function noticeText(n: Pick<NotificationRow, 'kind' | 'params'>, locale: Locale): string {
    return t(locale, `cases.notice.${n.kind}`, n.params)
  }

  /** A notice to the group's applicant; `id` makes it idempotent (event handlers may run twice). */
  async function notify(trx: Db, g: GroupTable, firstChildId: string, kind: string, params: Record<string, unknown>, id = newId('ntf')): Promise<void> {
    const row: NotificationRow = {
      id,
      account_id: g.applicant_id,
      application_id: firstChildId,
      kind,
      params: { number: g.number, title: g.title, ...params },
      created_at: clock.now(),
      read_at: null,
    }
    const inserted = await q(trx).insertInto('cases.notification').values({ ...row, params: jsonb(row.params) }).onConflict((oc) => oc.column('id').doNothing()).returning('id').executeTakeFirst()
    if (!inserted) return
    await outbox.add(trx, casesEvents.notificationCreated({ notificationId: row.id, accountId: g.applicant_id, applicationId: firstChildId, kind, text: noticeText(row, 'zh-CN') }))
  }

  async function childrenOf(groupId: string, h: Db = db): Promise<ChildRow[]> {
    return (await q(h).selectFrom('cases.application').selectAll().where('group_id', '=', groupId).orderBy('created_at').orderBy('id').execute()) as ChildRow[]
  }

  async function detail(g: GroupTable): Promise<GroupDetail> {
    const children = await childrenOf(g.id)
    const ids = children.map((c) => c.id)
    const [transitions, licensed] = ids.length
      ? await Promise.all([
          q().selectFrom('cases.transition').select(['application_id', 'action', 'to_status', 'at']).where('application_id', 'in', ids).orderBy('at').orderBy('id').execute(),
          q().selectFrom('cases.license_material').selectAll().where('application_id', 'in', ids).execute(),
        ])
      : [[], []]
    const byId = new Map(children.map((c) => [c.id, c]))
    const status = deriveStatus(children)
    const done = children.every((c) => settled.includes(c.status))
    return {
      id: g.id,
      number: g.number,
      title: g.title,
      source: g.source,
      status,
      applicantName: g.applicant_name,
      dueAt: latest(children.map((c) => c.due_at)),
      createdAt: new Date(g.created_at),
      parties: g.parties,
      fill: { ...emptyFill, ...g.fill },
      children: children.map((c) => ({
        id: c.id,
        number: c.number,
        status: c.status,
        itemCode: c.item_code,
        itemName: c.item_name,
        departmentId: c.department_id,
        departmentName: c.department_name,
        dueAt: c.due_at ? new Date(c.due_at) : null,
        version: c.version,
        fill: c.fill_stats ? { prefilled: c.fill_stats.prefilled, typed: c.fill_stats.typed, materialsFromLicenses: c.fill_stats.materialsFromLicenses, materialsShared: c.fill_stats.materialsShared } : null,
        materials: [
          ...(c.fill_stats?.materials ?? []).filter((m) => m.kind !== 'license'),
          ...licensed.filter((l) => l.application_id === c.id).map((l) => ({ code: l.material_code, kind: 'license' as const, label: `${l.license_name} ${l.license_number}` })),
        ],
        supplement: c.supplement,
      })),
      supplements: children
        .filter((c) => c.status === 'supplement_requested' && c.supplement)
        .map((c) => ({ applicationId: c.id, departmentName: c.department_name, itemName: c.item_name, items: c.supplement!.items.map((i) => ({ description: i.description })), message: c.supplement!.message })),
      results: done
        ? children.map((c) => ({ applicationId: c.id, itemName: c.item_name, departmentName: c.department_name, status: c.status, documentNumber: c.result?.documentNumber ?? null, summary: c.result?.summary ?? null }))
        : null,
      timeline: transitions.map((tr) => {
        const c = byId.get(tr.application_id)!
        return { applicationId: c.id, departmentName: c.department_name, itemName: c.item_name, action: tr.action, toStatus: tr.to_status, at: new Date(tr.at) }
      }),
    }
  }

  return {
    /**
     * Creates the parent and one submitted application per child in ONE transaction: every child
     * is checked first (published version, applicant kind, form, materials), and any failure while
     * writing rolls everything back, so nothing is ever half-created.
     * @throws UnknownItemError, ItemVersionNotPublishedError, NotApplicableError, InvalidFormError, MissingMaterialsError
     */
    async createGroup(by: Principal, input: NewGroup, meta: RequestMeta = {}): Promise<GroupDetail> {
      const kind = by.kind === 'legal' ? 'legal' : by.kind === 'person' ? 'person' : null
      if (input.children.length === 0) throw new UnknownItemError()
      // Everything from other modules is read before the transaction (PGlite has one connection).
      const prepared: { child: NewGroupChild; v: ServiceItemVersion; departmentName: string }[] = []
      for (const child of input.children) {
        const v = await version(child.itemVersionId)
        if (!v) throw new UnknownItemError()
        if (v.status !== 'published') throw new ItemVersionNotPublishedError()
        const g = v.guide
        if (!kind || (g.applicableTo !== 'both' && g.applicableTo !== kind)) throw new NotApplicableError(g.applicableTo)
        if (g.form) {
          const issues = validateFormData(g.form, child.formData)
          if (issues.length) throw new InvalidFormError(issues.map((i) => ({ field: i.field, code: i.code, reason: `${g.name}: ${i.field}` })))
        }
        const have = new Set([...child.materials.map((m) => m.code), ...(child.files ?? []).map((f) => f.materialCode)])
        const unknown = (child.files ?? []).find((f) => !g.materials.some((m) => m.code === f.materialCode))
        if (unknown) throw new UnknownMaterialError(unknown.materialCode)
        const missing = g.materials.filter((m) => m.requirement === 'required' && !have.has(m.code))
        if (missing.length) throw new MissingMaterialsError(missing.map((m) => ({ code: m.code, name: `${g.name}：${m.name}` })))
        const departmentName = v.departmentName ?? (await org.getDepartment(g.departmentId).catch(() => null))?.name ?? ''
        prepared.push({ child, v, departmentName })
      }
      const total = input.fill ?? input.children.reduce<FillStats>(
        (s, c) => ({ prefilled: s.prefilled + c.fill.prefilled, typed: s.typed + c.fill.typed, materialsFromLicenses: s.materialsFromLicenses + c.fill.materialsFromLicenses, materialsShared: s.materialsShared + c.fill.materialsShared }),
        { ...emptyFill },
      )
      const now = clock.now()
      const day = chinaDate(now)
      const group = await db.transaction().execute(async (trx) => {
        const s = createCasesStore(trx)
        const division = prepared[0]!.v.guide.divisionCode
        const seq = await s.nextSequence(`G${division}`, day)
        const g: GroupTable = {
          id: newId('cgrp'),
          number: `G${division}${day.replaceAll('-', '')}${String(seq).padStart(6, '0')}`,
          applicant_id: by.accountId,
          applicant_kind: kind!,
          applicant_name: by.name,
          title: input.title,
          source: input.source,
          division_code: division,
          parties: input.parties ?? [],
          fill: total,
          results_notified_at: null,
          created_at: now,
        }
        await q(trx).insertInto('cases.application_group').values({ ...g, parties: jsonb(g.parties), fill: jsonb(g.fill) }).execute()
        const created: ApplicationRow[] = []
        for (const { child, v, departmentName } of prepared) {
          const gd = v.guide
          const steps = gd.reviewSteps.map((st) => ({ name: st.name, role: st.role }))
          const caseSeq = await s.nextSequence(gd.divisionCode, day)
          const row = await s.insertApplication({
            id: child.id ?? newId('case'),
            number: `${gd.divisionCode}${day.replaceAll('-', '')}${String(caseSeq).padStart(6, '0')}`,
            applicant_id: by.accountId,
            applicant_kind: kind!,
            applicant_name: by.name,
            item_id: v.itemId,
            item_version_id: v.id,
            item_code: v.code,
            item_name: gd.name,
            department_id: gd.departmentId,
            department_name: departmentName,
            division_code: gd.divisionCode,
            handling_class: gd.handlingClass,
            promised_days: gd.promisedDays,
            legal_days: gd.legalDays,
            review_steps: steps,
            materials: gd.materials.map((m) => ({ code: m.code, name: m.name, requirement: m.requirement })),
            status: 'submitted',
            ...untouchedCase,
            awaiting_role: awaitedRole({ status: 'submitted', reviewStep: null, resumeStatus: null, resumeStep: null }, steps),
            form_data: child.formData,
            submitted_at: now,
            created_at: now,
            updated_at: now,
          })
          const stats = { ...child.fill, materials: child.materials.filter((m) => m.kind !== 'license') }
          await q(trx).updateTable('cases.application').set({ group_id: g.id, fill_stats: jsonb(stats) }).where('id', '=', row.id).execute()
          for (const m of child.materials) {
            if (m.kind !== 'license' || !m.license) continue
            await q(trx).insertInto('cases.license_material').values({
              application_id: row.id, material_code: m.code, license_id: m.license.id, license_number: m.license.number, license_type: m.license.type,
              license_name: m.license.name, grant_id: m.license.grantId, attached_by: by.accountId, attached_at: now,
            }).execute()
          }
          // Uploads carried over from the bundle draft: ordinary case files of this child, in this transaction.
          for (const f of child.files ?? []) {
            await s.insertFile({
              id: newId('file'), application_id: row.id, material_key: f.materialCode, file_name: f.fileName, content_type: f.contentType, size_bytes: f.sizeBytes,
              sm3: f.sm3, storage_key: f.storageKey, uploaded_by: f.uploadedBy, created_at: f.uploadedAt, removed_at: null,
            })
          }
          await s.insertTransition({
            id: newId('ctr'), application_id: row.id, action: 'submit', from_status: 'draft', to_status: 'submitted', review_step: null, step_name: null,
            actor_id: by.accountId, actor_name: by.name, actor_role: kind === 'legal' ? 'enterprise_agent' : 'citizen', opinion: null,
            detail: { groupId: g.id, groupNumber: g.number }, at: now,
          })
          await audit.record(trx, actorOf(by, meta), {
            action: 'cases.application.submitted', targetType: 'application', targetId: row.id, divisionCode: row.division_code,
            detail: { number: row.number, groupId: g.id, from: 'draft', to: 'submitted' },
          })
          const data: ApplicationEventData = {
            applicationId: row.id, number: row.number, itemId: row.item_id, itemVersionId: row.item_version_id, itemCode: row.item_code, divisionCode: row.division_code,
            departmentId: row.department_id, applicantId: row.applicant_id, status: row.status, fromStatus: 'draft', reviewStep: null, actorId: by.accountId,
          }
          await outbox.add(trx, casesEvents.transitioned('submit', data))
          created.push(row)
        }
        await audit.record(trx, actorOf(by, meta), {
          action: 'cases.group.submitted', targetType: 'application_group', targetId: g.id, divisionCode: g.division_code,
          detail: { number: g.number, source: g.source, children: created.map((c) => c.id), fill: total },
        })
        await notify(trx, g, created[0]!.id, 'group_submitted', { count: created.length })
        return g
      })
      outbox.nudge()
      for (const { v } of prepared) await catalog.recordApplication(v.itemId).catch((err: unknown) => logger.warn({ err }, 'catalog application count failed'))
      return detail(group)
    },

    /**
     * A group as its applicant (or a co-applicant who confirmed it) sees it.
     * @throws CaseNotFoundError
     */
    async getGroup(by: Principal, id: string): Promise<GroupDetail> {
      const g = (await q().selectFrom('cases.application_group').selectAll().where('id', '=', id).executeTakeFirst()) as GroupTable | undefined
      if (!g || (g.applicant_id !== by.accountId && !g.parties.some((p) => p.accountId === by.accountId))) throw new CaseNotFoundError()
      return detail(g)
    },

    /** The caller's groups, newest first, each with its children (the applicant's "one case"). */
    async listMyGroups(by: Principal, page: { page?: number; pageSize?: number } = {}): Promise<{ items: GroupSummary[]; total: number; page: number; pageSize: number }> {
      const p = page.page ?? 1
      const size = page.pageSize ?? 20
      const mine = q().selectFrom('cases.application_group').where((eb) => eb.or([eb('applicant_id', '=', by.accountId), sql<boolean>`parties @> ${JSON.stringify([{ accountId: by.accountId }])}::jsonb`]))
      const [rows, count] = await Promise.all([
        mine.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(size).offset((p - 1) * size).execute(),
        mine.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
      ])
      const items: GroupSummary[] = []
      for (const g of rows as GroupTable[]) {
        const children = await childrenOf(g.id)
        items.push({
          id: g.id, number: g.number, title: g.title, status: deriveStatus(children), dueAt: latest(children.map((c) => c.due_at)), createdAt: new Date(g.created_at),
          children: children.map((c) => ({ id: c.id, itemName: c.item_name, departmentName: c.department_name, status: c.status })),
        })
      }
      return { items, total: Number(count.n), page: p, pageSize: size }
    },

    /** How a case's form was filled, for trusted callers that have checked the caller may see the case. */
    async fillOf(applicationId: string): Promise<{ groupId: string | null; groupNumber: string | null; fill: FillStats | null; materials: SatisfiedMaterial[] }> {
      const row = await q().selectFrom('cases.application').select(['group_id', 'fill_stats']).where('id', '=', applicationId).executeTakeFirst()
      if (!row) throw new CaseNotFoundError()
      const g = row.group_id ? await q().selectFrom('cases.application_group').select('number').where('id', '=', row.group_id).executeTakeFirst() : undefined
      const licensed = await q().selectFrom('cases.license_material').selectAll().where('application_id', '=', applicationId).execute()
      const f = row.fill_stats
      return {
        groupId: row.group_id,
        groupNumber: g?.number ?? null,
        fill: f ? { prefilled: f.prefilled, typed: f.typed, materialsFromLicenses: f.materialsFromLicenses, materialsShared: f.materialsShared } : null,
        materials: [...(f?.materials ?? []), ...licensed.map((l) => ({ code: l.material_code, kind: 'license' as const, label: `${l.license_name} ${l.license_number}` }))],
      }
    },

    /** Fill counts summed per item over every grouped case (the metrics endpoint). */
    async fillMetrics(): Promise<{ itemCode: string; itemName: string; cases: number; prefilled: number; typed: number; materialsFromLicenses: number; materialsShared: number }[]> {
      const rows = await q()
        .selectFrom('cases.application')
        .select((eb) => [
          'item_code',
          eb.fn.max('item_name').as('item_name'),
          eb.fn.countAll<string>().as('cases'),
          sql<string>`coalesce(sum((fill_stats->>'prefilled')::int), 0)`.as('prefilled'),
          sql<string>`coalesce(sum((fill_stats->>'typed')::int), 0)`.as('typed'),
          sql<string>`coalesce(sum((fill_stats->>'materialsFromLicenses')::int), 0)`.as('from_licenses'),
          sql<string>`coalesce(sum((fill_stats->>'materialsShared')::int), 0)`.as('shared'),
        ])
        .where('fill_stats', 'is not', null)
        .groupBy('item_code')
        .orderBy('item_code')
        .execute()
      return rows.map((r) => ({
        itemCode: r.item_code, itemName: String(r.item_name), cases: Number(r.cases), prefilled: Number(r.prefilled), typed: Number(r.typed),
        materialsFromLicenses: Number(r.from_licenses), materialsShared: Number(r.shared),
      }))
    },

    /**
     * Reacts to a child's transition: a 补正 request becomes one notice naming the department; the
     * last child to reach its outcome triggers one "all results ready" notice. Idempotent.
     */
    async onChildEvent(event: DomainEvent): Promise<void> {
      const data = event.data as ApplicationEventData
      const child = (await q().selectFrom('cases.application').selectAll().where('id', '=', data.applicationId).executeTakeFirst()) as ChildRow | undefined
      if (!child?.group_id) return
      await db.transaction().execute(async (trx) => {
        const g = (await q(trx).selectFrom('cases.application_group').selectAll().where('id', '=', child.group_id!).forUpdate().executeTakeFirst()) as GroupTable | undefined
        if (!g) return
        const children = await childrenOf(g.id, trx)
        if (data.status === 'supplement_requested') {
          await notify(trx, g, child.id, 'group_supplement_requested', { departmentName: child.department_name, itemName: child.item_name }, `ntf_${event.id}`)
        } else if (!g.results_notified_at && children.every((c) => settled.includes(c.status))) {
          await q(trx).updateTable('cases.application_group').set({ results_notified_at: clock.now() }).where('id', '=', g.id).execute()
          await notify(trx, g, children[0]!.id, 'group_results', { count: children.length }, `ntf_${event.id}`)
        }
      })
      outbox.nudge()
    },
  }
}
