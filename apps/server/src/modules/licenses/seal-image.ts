import { fileTypeFromBuffer } from 'file-type'

/**
 * Seal pictures. A generated seal is the familiar official one: a red ring, a five-pointed star in
 * the middle and the department's name along the upper arc, drawn as SVG (for the web) and as
 * vector paths in the PDF (pdf.ts draws the same geometry). An uploaded seal must be a real PNG.
 */

export const SEAL_RED = '#d7261e'

/** Angles (radians, 0 = up, clockwise) of each character of the name along the upper arc. */
export function arcAngles(count: number): number[] {
  // The text spans up to 240°, less for short names so characters keep their natural spacing.
  const span = Math.min((240 * Math.PI) / 180, count * ((22 * Math.PI) / 180))
  if (count === 1) return [0]
  return Array.from({ length: count }, (_, i) => -span / 2 + (span * i) / (count - 1))
}

/** The five outer and five inner vertices of a star centred at (cx, cy), pointing up. */
export function starPoints(cx: number, cy: number, r: number): [number, number][] {
  const pts: [number, number][] = []
  for (let i = 0; i < 10; i++) {
    const rad = i % 2 === 0 ? r : r * 0.382
    const a = (Math.PI / 5) * i - Math.PI / 2
    pts.push([cx + rad * Math.cos(a), cy + rad * Math.sin(a)])
  }
  return pts
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
}

/** A 200×200 SVG seal for `name` (the department), optionally with a seal title under the star. */
export function generateSealSvg(name: string, title = ''): string {
  const chars = [...name]
  const angles = arcAngles(chars.length)
  const fontSize = chars.length > 14 ? 16 : 20
  const letters = chars
    .map((ch, i) => {
      const a = angles[i]!
      const deg = (a * 180) / Math.PI
      // Each glyph sits on a circle of radius 72 and is turned to face the centre.
      const x = 100 + 72 * Math.sin(a)
      const y = 100 - 72 * Math.cos(a)
      return `<text x="${x.toFixed(2)}" y="${y.toFixed(2)}" transform="rotate(${deg.toFixed(2)} ${x.toFixed(2)} ${y.toFixed(2)})" text-anchor="middle" dominant-baseline="central">${escapeXml(ch)}</text>`
    })
    .join('')
  const star = starPoints(100, 100, 30).map(([x, y]) => `${x.toFixed(2)},${y.toFixed(2)}`).join(' ')
  const sub = title ? `<text x="100" y="150" text-anchor="middle" font-size="14">${escapeXml(title)}</text>` : ''
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200" viewBox="0 0 200 200" role="img" aria-label="${escapeXml(name)}">` +
    `<circle cx="100" cy="100" r="94" fill="none" stroke="${SEAL_RED}" stroke-width="6"/>` +
    `<polygon points="${star}" fill="${SEAL_RED}"/>` +
    `<g fill="${SEAL_RED}" font-family="'Noto Sans SC','Source Han Sans SC','SimSun',sans-serif" font-size="${fontSize}" font-weight="700">${letters}${sub}</g>` +
    `</svg>`
  )
}

/** Most bytes an uploaded seal image may have. */
export const MAX_SEAL_PNG_BYTES = 512 * 1024

/** True when the bytes really are a PNG (magic numbers, not the name or the claimed type). */
export async function isPng(bytes: Uint8Array): Promise<boolean> {
  const t = await fileTypeFromBuffer(bytes)
  return t?.mime === 'image/png'
}
