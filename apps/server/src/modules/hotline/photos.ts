import { fileTypeFromBuffer } from 'file-type'
import { PhotoMismatchError, PhotoTooLargeError, PhotoTypeError } from './errors.js'

/** Photos a reporter may attach: the formats phones and browsers produce. */
export const photoTypes = ['image/jpeg', 'image/png', 'image/webp'] as const
export type PhotoType = (typeof photoTypes)[number]
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024
export const MAX_PHOTOS = 9

/**
 * Checks size and that the bytes are the declared image type by their magic numbers (file-type),
 * so a program renamed to .jpg is refused. Returns the verified type.
 */
export async function verifyPhoto(bytes: Buffer, declared: string): Promise<PhotoType> {
  if (bytes.length > MAX_PHOTO_BYTES) throw new PhotoTooLargeError()
  const type = declared.split(';')[0]!.trim().toLowerCase()
  if (!(photoTypes as readonly string[]).includes(type)) throw new PhotoTypeError()
  const sniffed = bytes.length ? await fileTypeFromBuffer(bytes) : undefined
  if (!sniffed || sniffed.mime !== type) throw new PhotoMismatchError()
  return type as PhotoType
}

/** A file name safe to keep and echo: no paths, no control characters. */
export function cleanName(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? ''
  return base.replace(/[\p{Cc}"]/gu, '').trim().slice(0, 120) || 'photo'
}
