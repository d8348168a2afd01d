import type { Level } from './types.js'

/**
 * The fixed tag vocabulary per level. Codes are stable (stored with ratings); labels live in the
 * module's messages (`rating.tag.<code>`). Good tags follow the offline indicators of the
 * national 好差评 system (服务效率, 服务水平, 服务态度) and the online ones (办事指南精确度, 办事便捷度).
 */
const good = ['efficient', 'friendly', 'clear-guide', 'convenient', 'done-at-once'] as const
const fair = ['mostly-solved', 'long-wait', 'guide-could-be-clearer', 'several-visits'] as const
const bad = ['overdue', 'poor-attitude', 'unclear-guide', 'repeated-materials', 'unresolved', 'several-visits'] as const

export const tagsByLevel: Record<Level, readonly string[]> = { 5: good, 4: good, 3: fair, 2: bad, 1: bad }
export const allTags = [...new Set([...good, ...fair, ...bad])]
export const MAX_TAGS = 5
