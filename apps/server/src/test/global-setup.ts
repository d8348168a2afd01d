import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { openDatabase } from '../db/database.js'
import { migrateToLatest } from '../db/migrate.js'

/**
 * Runs once per test run (both projects list it; the second reuses what the first made): a
 * migrated template every test file's database starts from, instead of migrating anew per file.
 * PGlite: an in-memory cluster dumped to a tarball (loading it ≈0.5 s, migrating ≈3 s).
 * PostgreSQL (DATABASE_URL set): a migrated database the harness copies with
 * `CREATE DATABASE … TEMPLATE` (a block copy, far below a migration per file).
 */
export default async function setup() {
  if (process.env.DATABASE_URL) return postgresTemplate(process.env.DATABASE_URL)
  if (process.env.YIWANG_PGLITE_TEMPLATE && fs.existsSync(process.env.YIWANG_PGLITE_TEMPLATE)) return
  const database = await openDatabase({ dataDir: 'memory://' })
  await migrateToLatest(database.db)
  const dump = await database.dump!()
  const file = path.join(os.tmpdir(), `yiwang-pglite-template-${process.pid}.tar`)
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()))
  await database.close()
  process.env.YIWANG_PGLITE_TEMPLATE = file
  return () => fs.rmSync(file, { force: true })
}

async function admin<T>(baseUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: baseUrl })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}

async function postgresTemplate(baseUrl: string) {
  if (process.env.YIWANG_PG_TEMPLATE) return
  const base = new URL(baseUrl)
  // Named after the run's database, so CI's cleanup (drop `<db>%`) also takes one a killed run left.
  const name = `${base.pathname.slice(1) || 'yiwang'}_tpl_${crypto.randomBytes(4).toString('hex')}`
  await admin(baseUrl, (c) => c.query(`create database "${name}"`))
  const url = new URL(baseUrl)
  url.pathname = `/${name}`
  // openDatabase also creates pg_trgm, so the copies have it too.
  const database = await openDatabase({ databaseUrl: url.toString() })
  try {
    await migrateToLatest(database.db)
  } finally {
    // No session may stay connected to a template while it is copied.
    await database.close()
  }
  process.env.YIWANG_PG_TEMPLATE = name
  return () => admin(baseUrl, (c) => c.query(`drop database if exists "${name}" with (force)`)).then(() => undefined)
}
