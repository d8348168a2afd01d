import { z } from 'zod'
import { lights } from '../cases/index.js'
import { channels, closeKinds, satisfactions, ticketActions, ticketStatuses, ticketTypes } from './state.js'

/** Text without control characters (line breaks and tabs allowed). */
export const text = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/)
export const id = z.string().min(1).max(64)
export const version = z.number().int().min(1).describe('The version the caller read; a stale one answers 409')
export const phone = z.string().regex(/^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/).describe('Mobile or landline number')
export const pageQuery = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
}
export const location = z.strictObject({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) })
export const categoryCode = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/)
export const divisionCode = z.string().regex(/^\d{6}(\d{3}(\d{3}(\d{3})?)?)?$/)

export const paginated = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int(),
    totalCapped: z.boolean().optional().describe('Ticket lists count up to 10,000 only: true when there are more than `total`'),
    page: z.number().int(),
    pageSize: z.number().int(),
  })

export const categorySchema = z.object({ code: z.string(), name: z.string(), nameEn: z.string(), group: z.string(), defaultType: z.enum(ticketTypes), description: z.string() })

export const summarySchema = z.object({
  id: z.string(),
  number: z.string().describe('RX + YYYYMMDD + sequence; also the Open311 service_request_id'),
  type: z.enum(ticketTypes),
  channel: z.enum(channels),
  status: z.enum(ticketStatuses),
  categoryCode: z.string(),
  categoryName: z.string(),
  title: z.string(),
  divisionCode: z.string().nullable(),
  address: z.string().nullable(),
  location: z.object({ lat: z.number(), lng: z.number() }).nullable(),
  departmentId: z.string().nullable().describe('主办 department'),
  departmentName: z.string().nullable(),
  assistDepartmentIds: z.array(z.string()).describe('协办 departments'),
  progress: z.object({ dueAt: z.date(), dueDate: z.string(), light: z.enum(lights), remainingDays: z.number().int() }).nullable(),
  signDueAt: z.date().nullable(),
  signedAt: z.date().nullable(),
  extensionPending: z.boolean(),
  reopenCount: z.number().int(),
  closeKind: z.enum(closeKinds).nullable(),
  satisfaction: z.enum(satisfactions).nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  version: z.number().int(),
})

export const reporterSchema = z.object({ name: z.string().nullable(), phone: z.string().nullable(), email: z.string().nullable(), accountId: z.string().nullable(), anonymous: z.boolean() })
export const photoSchema = z.object({ id: z.string(), fileName: z.string(), contentType: z.string(), sizeBytes: z.number().int(), sm3: z.string(), uploadedAt: z.date() })
export const duplicateSchema = z.object({ id: z.string(), number: z.string(), title: z.string(), status: z.enum(ticketStatuses), score: z.number(), distanceM: z.number().nullable(), createdAt: z.date() })

export const detailSchema = summarySchema.extend({
  content: z.string(),
  reporter: reporterSchema.nullable().describe('Null when hidden: a 举报 reporter is visible to the hotline centre only'),
  reporterHidden: z.boolean(),
  photos: z.array(photoSchema),
  reply: z.object({ content: z.string(), at: z.string(), by: z.string(), departmentId: z.string() }).nullable(),
  extension: z.object({ days: z.number().int(), reason: z.string(), requestedAt: z.string(), decided: z.boolean(), approved: z.boolean().nullable(), opinion: z.string().nullable() }).nullable(),
  callback: z.object({ satisfaction: z.enum(satisfactions), resolved: z.boolean(), note: z.string().nullable(), at: z.string(), by: z.string(), reopened: z.boolean() }).nullable(),
  mergedInto: z.string().nullable(),
  kbArticleId: z.string().nullable(),
  mediaUrl: z.string().nullable().describe('Open311 media_url: a link to show, never fetched by the server'),
  assists: z
    .array(
      z.object({
        departmentId: z.string(), departmentName: z.string(), signedAt: z.string().nullable(), signedBy: z.string().nullable(),
        opinion: z.string().nullable(), opinionAt: z.string().nullable(), opinionBy: z.string().nullable(),
      }),
    )
    .describe("协办 departments' parts: signed, and their latest opinion"),
  duplicates: z.array(duplicateSchema).describe('Suggested merges (centre only)'),
  timeline: z.array(
    z.object({
      action: z.string(), fromStatus: z.enum(ticketStatuses).nullable(), toStatus: z.enum(ticketStatuses), actorName: z.string().nullable(), actorRole: z.string().nullable(),
      departmentId: z.string().nullable(), opinion: z.string().nullable(), at: z.date(),
    }),
  ),
  allowedActions: z.array(z.enum(ticketActions)),
})

export const newTicketFields = {
  type: z.enum(ticketTypes),
  categoryCode,
  title: text(1, 100).nullish(),
  content: text(2, 4000),
  address: text(2, 200).nullish(),
  location: location.nullish(),
}

export const articleSchema = z.object({
  id: z.string(), title: z.string(), body: z.string(), keywords: z.array(z.string()), departmentId: z.string(), departmentName: z.string(),
  categoryCode: z.string().nullable(), status: z.enum(['published', 'archived']), updatedAt: z.date(), version: z.number().int(),
})
export const articleHitSchema = z.object({
  id: z.string(), title: z.string(), departmentId: z.string(), departmentName: z.string(), categoryCode: z.string().nullable(), snippet: z.string(), score: z.number(), updatedAt: z.date(), version: z.number().int(),
})
export const ruleSchema = z.object({
  id: z.string(), categoryCode: z.string().nullable(), divisionPrefix: z.string().nullable(), departmentId: z.string(), departmentName: z.string(), assistDepartmentIds: z.array(z.string()), version: z.number().int(),
})
const days = z.number().int().min(0).max(60)
export const settingsSchema = z.object({
  cityCode: z.string(),
  deadlineDays: z.object({ consult: days, help: days, complaint: days, report: days, suggestion: days, praise: days }).describe('Working days from dispatch, per type'),
  signHours: z.number().int().min(1).max(72).describe('Hours after dispatch within which the department must sign (签收)'),
  duplicateWindowDays: z.number().int().min(1).max(90),
  duplicateRadiusM: z.number().int().min(10).max(10_000),
  version: z.number().int(),
})
const rate = z.number().nullable().describe('0..1; null when there is nothing to divide by')
export const metricsSchema = z.object({
  from: z.string(),
  to: z.string(),
  departments: z.array(
    z.object({
      departmentId: z.string(), departmentName: z.string(), dispatched: z.number().int(), signedInTime: z.number().int(), responseRate: rate, replied: z.number().int(),
      resolved: z.number().int(), resolutionRate: rate, callbacks: z.number().int(), satisfied: z.number().int(), satisfactionRate: rate,
    }),
  ),
  centre: z.object({ total: z.number().int(), consults: z.number().int(), directClosed: z.number().int(), directCloseRate: rate }),
})
export const apiKeySchema = z.object({ id: z.string(), name: z.string(), createdAt: z.date(), revokedAt: z.date().nullable() })
