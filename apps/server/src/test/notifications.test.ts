import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateIdNumber } from '../modules/identity/index.js'
import { createTestApp, type TestApp } from './harness.js'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t?.close())

describe('applicant notifications', () => {
  it('texts the applicant the notice a case raised, through the SMS sender', async () => {
    const idNumber = generateIdNumber({ divisionCode: '140902', birthDate: '1990-05-01', sex: 'female' })
    const person = await t.services.identity.createPerson('system', { name: '韩雪', idNumber, phone: '13700001234', password: 'Right-pass1' })
    await t.core.db.transaction().execute((trx) =>
      t.core.outbox.add(trx, {
        type: 'cases.notification.created',
        data: { notificationId: 'ntf_1', accountId: person.id, applicationId: 'app_1', kind: 'accepted', text: '您的办件已受理。' },
      }),
    )
    expect(await t.core.outbox.drain()).toBeGreaterThanOrEqual(1)
    const outbox = await t.services.identity.listSmsOutbox('system', { page: 1, pageSize: 10 })
    expect(outbox.items.map((m) => [m.phone, m.text])).toContainEqual(['13700001234', '您的办件已受理。'])
  })
})
