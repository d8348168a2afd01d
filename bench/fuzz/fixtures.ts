import type { Fixture } from './fuzzer.js'

/**
 * Real objects made through the API before fuzzing the demo city (bench/fuzz/fuzzer.ts, Phase 0):
 * 12345 tickets from the centre and from a citizen, a 一件事 draft. Their ids are harvested, so the
 * fuzzer's valid requests on `/tickets/{id}/…` and `/drafts/{id}/…` reach the handlers instead of
 * answering 404 on made-up ids. The lists read first give the codes the writes need.
 */
export const demoFixtures: Fixture[] = [
  // 12345: the centre registers calls; a citizen files one from the mobile face.
  { as: 'rx.operator', operation: 'GET /api/hotline/categories' },
  {
    as: 'rx.operator',
    operation: 'POST /api/hotline/tickets',
    times: 4,
    body: (pick) => ({
      type: 'complaint',
      categoryCode: pick('/api/hotline/categories#code'),
      title: '路灯不亮',
      content: '新建路小区门口的路灯坏了一周，夜间出行不便，请尽快维修。',
      address: '忻府区新建路12号',
      reporter: { name: '张先生', phone: '13800001234' },
    }),
  },
  {
    as: '13900001409',
    operation: 'POST /api/hotline/my/tickets',
    times: 2,
    body: (pick) => ({
      type: 'consult',
      categoryCode: pick('/api/hotline/categories#code'),
      content: '请问灵活就业人员怎样办理社保缴费？',
      address: '忻府区长征街8号',
      channel: 'web',
    }),
  },
  { as: 'rx.operator', operation: 'GET /api/hotline/tickets' },
  // 一件事: the mother starts a draft of a bundle; the lists give its code and the draft's id.
  { as: '13900001501', operation: 'GET /api/onething/bundles', query: { applicableTo: 'person' } },
  { as: '13900001501', operation: 'POST /api/onething/drafts', times: 2, body: (pick) => ({ bundleCode: pick('/api/onething/bundles#code') }) },
  { as: '13900001409', operation: 'POST /api/onething/drafts', body: (pick) => ({ bundleCode: pick('/api/onething/bundles#code') }) },
  // The wallet: the citizen's licenses, so `/mine/{id}/…` gets real ids.
  { as: '13900001409', operation: 'GET /api/licenses/mine' },
]
