import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileTypeFromBuffer } from 'file-type'
import { sm3Hex } from '../../platform/gm.js'
import { EmptyFileError, FileTypeMismatchError, FileTypeNotAllowedError } from './errors.js'

/** Media types an applicant may upload: PDF, JPEG, PNG and OFD (GB/T 33190, the national layout format). */
export const allowedFileTypes = ['application/pdf', 'image/jpeg', 'image/png', 'application/ofd'] as const
export type AllowedFileType = (typeof allowedFileTypes)[number]

/** Largest upload, per file. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024
/** Most files per material of one case. */
export const MAX_FILES_PER_MATERIAL = 10

/** What file-type answers for each allowed type (OFD is a ZIP package with OFD.xml at its root). */
const sniffedAs: Record<AllowedFileType, string> = {
  'application/pdf': 'application/pdf',
  'image/jpeg': 'image/jpeg',
  'image/png': 'image/png',
  'application/ofd': 'application/zip',
}

/**
 * Checks that the bytes are what the declared Content-Type says, by magic numbers (file-type),
 * so a program renamed to .pdf is refused. Returns the verified type.
 * @throws EmptyFileError, FileTypeNotAllowedError, FileTypeMismatchError
 */
export async function verifyFileType(bytes: Buffer, declared: string): Promise<AllowedFileType> {
  if (bytes.length === 0) throw new EmptyFileError()
  const type = declared.split(';')[0]!.trim().toLowerCase()
  if (!(allowedFileTypes as readonly string[]).includes(type)) throw new FileTypeNotAllowedError(type)
  const allowed = type as AllowedFileType
  const sniffed = await fileTypeFromBuffer(bytes)
  if (!sniffed || sniffed.mime !== sniffedAs[allowed]) throw new FileTypeMismatchError(allowed, sniffed?.mime ?? null)
  // An OFD package names its entry file OFD.xml (GB/T 33190-2016 §7.1); any other ZIP is not one.
  if (allowed === 'application/ofd' && !bytes.includes('OFD.xml')) throw new FileTypeMismatchError(allowed, sniffed.mime)
  return allowed
}

/** A file name safe to keep and to echo in Content-Disposition: no paths, no control characters. */
export function cleanFileName(name: string | undefined, fallback: string): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? ''
  const clean = base.replace(/[\p{Cc}"]/gu, '').trim().slice(0, 120)
  return clean || fallback
}

/** Checked bytes in storage, not yet recorded as a case's file (see CasesService.storeFile). */
export interface StoredFile {
  fileName: string
  contentType: AllowedFileType
  sizeBytes: number
  sm3: string
  storageKey: string
}

/** Where uploaded bytes live: DATA_DIR/files/<case>/<uuid>. An S3 adapter would implement the same. */
export interface FileStorage {
  /** Stores the bytes; returns the storage key and the SM3 digest (GB/T 32905) recorded with them. */
  put(applicationId: string, bytes: Buffer): Promise<{ key: string; sm3: string }>
  get(key: string): Promise<Buffer>
  /** Removes bytes that never got their record (the recording transaction failed). */
  remove(key: string): Promise<void>
}

export function createDiskStorage(root: string): FileStorage {
  const resolve = (key: string) => {
    const full = path.resolve(root, key)
    if (!full.startsWith(path.resolve(root) + path.sep)) throw new Error('storage key escapes the file root')
    return full
  }
  return {
    async put(applicationId, bytes) {
      const key = `${applicationId}/${crypto.randomUUID()}`
      const full = resolve(key)
      await fs.promises.mkdir(path.dirname(full), { recursive: true })
      // Write then rename: a reader never sees half a file.
      const tmp = `${full}.part`
      await fs.promises.writeFile(tmp, bytes, { flag: 'wx' })
      await fs.promises.rename(tmp, full)
      return { key, sm3: sm3Hex(bytes) }
    },
    async get(key) {
      return fs.promises.readFile(resolve(key))
    },
    async remove(key) {
      await fs.promises.rm(resolve(key), { force: true })
    },
  }
}
