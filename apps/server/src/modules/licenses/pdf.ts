import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import fontkit from '@pdf-lib/fontkit'
import { degrees, PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib'
import QRCode from 'qrcode'
import { licenseTypeOf } from './license-types.js'
import { arcAngles, starPoints } from './seal-image.js'
import type { LicenseContent, LicenseStatus } from './types.js'

/**
 * The printable license: an A5 landscape page with the type's colour band, the holder and fields,
 * the issuing department's seal and a QR code to the public verification page. Text is Noto Sans
 * SC, embedded as a subset (only the glyphs used), so a page stays tens of kilobytes.
 */

let fontBytes: Promise<Buffer> | undefined

/** The Noto Sans SC TTF (10 MB), read once per process. */
function notoSansSc(): Promise<Buffer> {
  fontBytes ??= (async () => {
    const require = createRequire(import.meta.url)
    const dir = path.dirname(require.resolve('@expo-google-fonts/noto-sans-sc/package.json'))
    return fs.promises.readFile(path.join(dir, '400Regular', 'NotoSansSC_400Regular.ttf'))
  })()
  return fontBytes
}

function hexColor(hex: string) {
  const n = parseInt(hex.slice(1), 16)
  return rgb(((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255)
}

const RED = rgb(0.843, 0.149, 0.118)

/** The generated seal as vectors: ring, star, and the department name turned along the arc. */
function drawGeneratedSeal(page: PDFPage, font: PDFFont, name: string, cx: number, cy: number, r: number): void {
  page.drawCircle({ x: cx, y: cy, size: r, borderColor: RED, borderWidth: r * 0.06, opacity: 0, borderOpacity: 0.9 })
  const pts = starPoints(0, 0, r * 0.3)
  const d = pts.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(2)} ${y.toFixed(2)}`).join(' ') + ' Z'
  page.drawSvgPath(d, { x: cx, y: cy, color: RED, opacity: 0.9 })
  const chars = [...name]
  const size = chars.length > 14 ? r * 0.16 : r * 0.2
  const angles = arcAngles(chars.length)
  chars.forEach((ch, i) => {
    const a = angles[i]!
    const w = font.widthOfTextAtSize(ch, size)
    // Centre each glyph on the ring, turned clockwise by a (pdf-lib turns counter-clockwise about
    // the baseline origin, so the origin is the centre minus the turned half-size offset).
    const rr = r * 0.72
    const px = cx + rr * Math.sin(a)
    const py = cy + rr * Math.cos(a)
    const u = w / 2
    const v = size * 0.35
    const bx = px - (u * Math.cos(a) + v * Math.sin(a))
    const by = py - (-u * Math.sin(a) + v * Math.cos(a))
    page.drawText(ch, { x: bx, y: by, size, font, color: RED, opacity: 0.9, rotate: degrees((-a * 180) / Math.PI) })
  })
}

export interface PdfInput {
  content: LicenseContent
  status: LicenseStatus
  statusLabel: string
  verifyUrl: string
  seal: { name: string; image_source: 'generated' | 'uploaded'; image_png: Buffer | null; department_name: string }
}

export async function renderLicensePdf(input: PdfInput): Promise<Uint8Array> {
  const { content: c } = input
  const def = licenseTypeOf(c.type)
  const doc = await PDFDocument.create()
  doc.registerFontkit(fontkit)
  doc.setTitle(`${c.typeName} ${c.number}`)
  doc.setCreator('Yiwang 一网')
  doc.setProducer('Yiwang 一网 (pdf-lib)')
  const font = await doc.embedFont(await notoSansSc(), { subset: true })
  const page = doc.addPage([595.28, 419.53])
  const { width, height } = page.getSize()
  const color = hexColor(def?.layout.color ?? '#444b59')

  page.drawRectangle({ x: 16, y: 16, width: width - 32, height: height - 32, borderColor: color, borderWidth: 2 })
  page.drawRectangle({ x: 16, y: height - 72, width: width - 32, height: 56, color })
  page.drawText(c.typeName, { x: 36, y: height - 54, size: 24, font, color: rgb(1, 1, 1) })
  page.drawText(`证照编号 ${c.number}`, { x: width - 36 - font.widthOfTextAtSize(`证照编号 ${c.number}`, 10), y: height - 50, size: 10, font, color: rgb(1, 1, 1) })

  const rows: [string, string][] = [
    [c.holder.kind === 'person' ? '持证人' : '名称', c.holder.name],
    [c.holder.kind === 'person' ? '公民身份号码' : '统一社会信用代码', c.holder.id],
    ...((def?.fields ?? []).filter((f) => c.fields[f.key] !== undefined).map((f) => [f.label['zh-CN'], c.fields[f.key]!] as [string, string])),
    ['有效期限', `${c.validFrom} 至 ${c.validUntil ?? '长期'}`],
    ['发证机关', c.issuer.name],
  ]
  let y = height - 100
  for (const [label, value] of rows) {
    page.drawText(label, { x: 36, y, size: 10, font, color: rgb(0.35, 0.35, 0.35) })
    // Long values (business scope) wrap by characters: Chinese has no spaces to break at.
    const maxWidth = width - 36 - 140 - 150
    let line = ''
    const lines: string[] = []
    for (const ch of value) {
      if (font.widthOfTextAtSize(line + ch, 11) > maxWidth) {
        lines.push(line)
        line = ''
      }
      line += ch
    }
    lines.push(line)
    for (const l of lines.slice(0, 3)) {
      page.drawText(l, { x: 140, y, size: 11, font, color: rgb(0.1, 0.1, 0.1) })
      y -= 16
    }
    y -= 4
    if (y < 60) break
  }

  const qr = await QRCode.toBuffer(input.verifyUrl, { type: 'png', errorCorrectionLevel: 'M', margin: 1, width: 240 })
  const qrImage = await doc.embedPng(qr)
  page.drawImage(qrImage, { x: width - 36 - 110, y: 60, width: 110, height: 110 })
  page.drawText('扫码核验', { x: width - 36 - 110 + 32, y: 46, size: 9, font, color: rgb(0.35, 0.35, 0.35) })

  const sealX = width - 36 - 120
  const sealY = 240
  if (input.seal.image_source === 'uploaded' && input.seal.image_png) {
    const img = await doc.embedPng(input.seal.image_png)
    page.drawImage(img, { x: sealX - 55, y: sealY - 55, width: 110, height: 110, opacity: 0.9 })
  } else {
    drawGeneratedSeal(page, font, input.seal.department_name, sealX, sealY, 55)
  }
  page.drawText(`签发日期 ${c.issuedAt.slice(0, 10)}`, { x: sealX - 50, y: sealY - 75, size: 9, font, color: rgb(0.35, 0.35, 0.35) })
  page.drawText(`SM2/SM3 电子签章 · ${input.verifyUrl}`, { x: 36, y: 26, size: 7, font, color: rgb(0.45, 0.45, 0.45) })

  if (input.status !== 'valid') {
    page.drawText(input.statusLabel, { x: 150, y: 150, size: 64, font, color: RED, opacity: 0.35, rotate: degrees(20) })
  }
  return doc.save()
}
