import crypto from 'node:crypto'
import type { Db } from '../../db/database.js'
import type { Clock } from '../../platform/clock.js'
import { newId } from '../../platform/ids.js'
import { createIdentityStore } from './store.js'

/** One text message to a mainland mobile number. */
export interface SmsMessage {
  phone: string
  text: string
}

/**
 * Sends text messages. `trx` is the transaction of the change that caused the message: the dev
 * sender writes in it (so a rolled-back sign-in leaves no message); a provider adapter (Aliyun,
 * Tencent Cloud SMS, an operator gateway) would queue on commit instead.
 */
export interface SmsSender {
  send(trx: Db, message: SmsMessage): Promise<void>
  /** Several messages at once (one insert for the dev sender); without it, `send` one by one. */
  sendMany?(trx: Db, messages: SmsMessage[]): Promise<void>
}

/** The development sender: messages land in identity.sms_outbox, shown in the admin face. */
export function createDevSmsSender(deps: { clock: Clock }): SmsSender {
  return {
    async send(trx, message) {
      await createIdentityStore(trx).insertSmsOutbox({ id: newId('sms'), phone: message.phone, text: message.text, created_at: deps.clock.now() })
    },
    async sendMany(trx, messages) {
      const at = deps.clock.now()
      await createIdentityStore(trx).insertSmsOutbox(messages.map((m) => ({ id: newId('sms'), phone: m.phone, text: m.text, created_at: at })))
    },
  }
}

/** Rules for one-time codes. */
export const smsPolicy = {
  /** Code length (digits). */
  length: 6,
  ttlSeconds: 5 * 60,
  resendSeconds: 60,
  /** Wrong guesses before the code is burned. */
  maxAttempts: 5,
  /** Codes per number per rolling 24 hours. */
  dailyLimit: 10,
}

/** A uniformly random 6-digit code (crypto RNG, no modulo bias). */
export function newSmsCode(): string {
  return String(crypto.randomInt(0, 10 ** smsPolicy.length)).padStart(smsPolicy.length, '0')
}

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex')
  const y = Buffer.from(b, 'hex')
  return x.length === y.length && crypto.timingSafeEqual(x, y)
}
