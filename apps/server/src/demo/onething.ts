import { AppError } from '../platform/errors.js'
import type { Core } from '../platform/core.js'
import { generateIdNumber, seededRandom } from '../modules/identity/index.js'
import type { BundleDefinitionInput } from '../modules/onething/index.js'
import type { Services } from '../services.js'
import { DEMO_PASSWORD } from './identity.js'
import type { DemoLogin } from './index.js'

/**
 * 一件事一次办 in the demo city: four bundles of real items of the demo catalog across the
 * departments (出生, 企业开办, 退休, 身后), a young family of 忻府区 whose two parents both have
 * accounts and sit in one household of the population registry (for 出生一件事 with two
 * applicants), and a window clerk + reviewer for each of four departments, to show that each
 * department sees only its own case of a bundle. Idempotent.
 */

const yes = { value: 'yes', label: '是' }
const no = { value: 'no', label: '否' }

/** The demo family: the mother applies, the father is invited (phones are demo logins). */
export const demoFamily = {
  mother: { name: '陈静', phone: '13900001501', birthDate: '1995-06-18', sex: 'female' as const },
  father: { name: '刘洋', phone: '13900001502', birthDate: '1993-02-07', sex: 'male' as const },
  address: '山西省忻州市忻府区和平街28号3单元201室',
}

/** Department staff who see only their department's cases (username, name, department). */
const departmentStaff = [
  ['ga.clerk', '韩雪', '忻州市公安局'],
  ['wj.clerk', '白雪梅', '忻州市卫生健康委员会'],
  ['yb.clerk', '任国强', '忻州市医疗保障局'],
  ['rs.clerk', '段丽萍', '忻州市人力资源和社会保障局'],
] as const

const birthProduced = { via: 'bundle' as const, from: 'GG00801000', label: '出生医学证明（本次同步签发，数据共享）' }

export const demoBundles: BundleDefinitionInput[] = [
  {
    code: 'BIRTH',
    name: '出生一件事',
    summary: '新生儿出生后，一次申请同时办理出生医学证明、出生登记（落户）、新生儿医保参保、社会保障卡申领和生育津贴，父母双方在线确认，无需重复填写；除医疗机构的诊断证明外无需提交材料。',
    applicableTo: 'person',
    questions: [
      { key: 'bornHere', label: '新生儿是否在本市助产机构出生', help: '在本市出生的，出生医学证明由助产机构同步签发', options: [yes, no], default: 'yes' },
      { key: 'wantCard', label: '是否同时为新生儿申领社会保障卡', options: [yes, no], default: 'yes' },
      { key: 'maternityInsured', label: '母亲是否参加职工生育保险', help: '参加的，可同时申领生育津贴（需上传诊断证明或出院记录）', options: [yes, no], default: 'yes' },
    ],
    parties: [{ role: 'father', label: '父亲', required: true, relation: 'spouse' }],
    items: [
      { code: 'GG00801000', when: [{ question: 'bornHere', in: ['yes'] }], materials: { birth_record: { via: 'form', label: '新生儿出生信息在合并表单中填写' } } },
      { code: 'QR00101000', materials: { birth_certificate: birthProduced } },
      {
        code: 'GG00302000',
        materials: { birth_certificate: birthProduced, household_register: { via: 'bundle', from: 'QR00101000', label: '新生儿户口（出生登记同步办理）' } },
      },
      { code: 'GG00201000', when: [{ question: 'wantCard', in: ['yes'] }] },
      // 医保局's 生育津贴: its 诊断证明或出院记录 (medical_record) has no e-license and no shared source, so the mother uploads it.
      { code: 'JF00305000', when: [{ question: 'maternityInsured', in: ['yes'] }], materials: { birth_certificate: birthProduced } },
    ],
    fields: [
      { name: 'babyName', to: ['QR00101000.babyName', 'GG00801000.babyName', 'GG00302000.babyName', 'GG00201000.babyName'] },
      { name: 'babySex', to: ['QR00101000.babySex', 'GG00801000.babySex', 'GG00302000.babySex', 'GG00201000.babySex'] },
      { name: 'birthDate', to: ['QR00101000.birthDate', 'GG00801000.birthDate', 'GG00302000.birthDate', 'GG00201000.birthDate'] },
      { name: 'birthPlace', to: ['QR00101000.birthPlace', 'GG00801000.birthPlace'] },
      { name: 'birthCertificateNo', to: ['QR00101000.birthCertificateNo'], producedBy: 'GG00801000', producedValue: '卫健部门同步签发' },
      { name: 'settleWith', to: ['QR00101000.settleWith'] },
      { name: 'householdAddress', to: ['QR00101000.householdAddress', 'GG00302000.householdAddress'] },
      { name: 'motherName', to: ['QR00101000.motherName', 'GG00801000.motherName', 'GG00302000.guardianName', 'GG00201000.guardianName'], prefill: { source: 'person.name' } },
      { name: 'motherIdNumber', to: ['QR00101000.motherIdNumber', 'GG00801000.motherIdNumber', 'GG00302000.guardianIdNumber', 'GG00201000.guardianIdNumber'], prefill: { source: 'person.idNumber' } },
      { name: 'contactPhone', to: ['QR00101000.contactPhone', 'GG00302000.contactPhone', 'GG00201000.contactPhone'] },
      { name: 'fatherName', party: 'father', to: ['QR00101000.fatherName', 'GG00801000.fatherName'], prefill: { source: 'person.name' } },
      { name: 'fatherIdNumber', party: 'father', to: ['QR00101000.fatherIdNumber', 'GG00801000.fatherIdNumber'], prefill: { source: 'person.idNumber' } },
    ],
  },
  {
    code: 'BUSINESS_STARTUP',
    name: '企业开办一件事',
    summary: '一次申请同时办理公司设立登记、公章刻制备案、单位社保参保登记和住房公积金缴存登记，股东在线确认，营业执照等结果数据共享、免于重复提交。',
    applicableTo: 'legal',
    questions: [
      { key: 'hireNow', label: '是否开办后即招用员工', help: '招用员工的，需同步办理社保参保和公积金缴存登记', options: [yes, no], default: 'yes' },
    ],
    parties: [{ role: 'legalRep', label: '法定代表人（股东）', required: true }],
    items: [
      {
        code: 'XK00501000',
        materials: {
          application_form: { via: 'form', label: '申请书由合并表单在线生成' },
          articles: { via: 'form', label: '采用标准章程，由合并表单生成并经股东在线确认' },
          // The representative's own ID card: their e-ID card (their consent) or the population registry, never an upload.
          id_card: { via: 'party', party: 'legalRep', label: '由法定代表人本人提供：电子身份证或人口库核验' },
          domicile_proof: { via: 'form', label: '住所申报承诺制：在合并表单中在线承诺' },
          officers_appointment: { via: 'form', label: '任职信息在合并表单中填写并经股东在线确认' },
        },
      },
      { code: 'QT00113000', materials: { business_license: { via: 'bundle', from: 'XK00501000', label: '营业执照（本次同步核发，数据共享）' }, id_card: { via: 'party', party: 'legalRep', label: '由法定代表人本人提供：电子身份证或人口库核验' } } },
      { code: 'GG00209000', when: [{ question: 'hireNow', in: ['yes'] }], materials: { business_license: { via: 'bundle', from: 'XK00501000', label: '营业执照（本次同步核发，数据共享）' }, bank_info: { via: 'form', label: '单位银行账户在合并表单中填写' } } },
      { code: 'GG01104000', when: [{ question: 'hireNow', in: ['yes'] }], materials: { business_license: { via: 'bundle', from: 'XK00501000', label: '营业执照（本次同步核发，数据共享）' }, id_card: { via: 'form', label: '经办人实名登录' } } },
    ],
    fields: [
      { name: 'companyName', to: ['XK00501000.companyName', 'QT00113000.companyName', 'GG00209000.companyName', 'GG01104000.companyName'] },
      { name: 'companyType', to: ['XK00501000.companyType'] },
      { name: 'registeredCapital', to: ['XK00501000.registeredCapital'] },
      { name: 'domicile', to: ['XK00501000.domicile', 'GG00209000.address', 'GG01104000.address'] },
      { name: 'businessScope', to: ['XK00501000.businessScope'] },
      { name: 'operatingTerm', to: ['XK00501000.operatingTerm'] },
      { name: 'shareholders', to: ['XK00501000.shareholders'] },
      { name: 'liaisonPhone', to: ['XK00501000.liaisonPhone', 'GG00209000.contactPhone', 'GG01104000.contactPhone'] },
      { name: 'needSeal', to: ['XK00501000.needSeal'] },
      { name: 'bankAccount', to: ['GG00209000.bankAccount', 'GG01104000.bankAccount'], label: '单位银行基本存款账户', widget: 'string', required: true },
      { name: 'legalRepName', party: 'legalRep', to: ['XK00501000.legalRepName', 'QT00113000.legalRepName'] },
      { name: 'legalRepIdNumber', party: 'legalRep', to: ['XK00501000.legalRepIdNumber', 'QT00113000.legalRepIdNumber'] },
      { name: 'legalRepPhone', party: 'legalRep', to: ['XK00501000.legalRepPhone'] },
    ],
  },
  {
    code: 'RETIREMENT',
    name: '退休一件事',
    summary: '职工到龄退休时，一次申请同时办理养老保险待遇核定、住房公积金退休提取和老年人优待证。',
    applicableTo: 'person',
    questions: [
      { key: 'hasFund', label: '是否缴存住房公积金', options: [yes, no], default: 'yes' },
      { key: 'over60', label: '是否已满60周岁', help: '年满60周岁可同步办理老年人优待证', options: [yes, no], default: 'no' },
    ],
    parties: [],
    items: [
      { code: 'JF00205000', materials: { bank_account: { via: 'form', label: '社会保障卡或银行账户在合并表单中填写' } } },
      { code: 'GG01102000', when: [{ question: 'hasFund', in: ['yes'] }], materials: { bank_account: { via: 'form', label: '社会保障卡或银行账户在合并表单中填写' } } },
      { code: 'GG00711000', when: [{ question: 'over60', in: ['yes'] }], materials: { photo: { via: 'form', label: '使用公安机关留存照片（数据共享）' } } },
    ],
    fields: [
      { name: 'fullName', to: ['JF00205000.fullName', 'GG01102000.fullName', 'GG00711000.fullName'], label: '姓名', widget: 'string', required: true, prefill: { source: 'person.name' } },
      { name: 'idNumber', to: ['JF00205000.idNumber', 'GG01102000.idNumber', 'GG00711000.idNumber'], label: '公民身份号码', widget: 'idNumber', required: true, prefill: { source: 'person.idNumber' } },
      { name: 'address', to: ['JF00205000.address', 'GG00711000.address'], label: '现居住地址', widget: 'textarea', required: true, prefill: { source: 'person.address' } },
      { name: 'phone', to: ['JF00205000.phone', 'GG01102000.phone', 'GG00711000.phone'], label: '手机号码', widget: 'phone', required: true, prefill: { source: 'person.phone' } },
      { name: 'employer', to: ['JF00205000.employer', 'GG01102000.employer'], label: '退休前工作单位', widget: 'string', required: true },
      { name: 'retireDate', to: ['JF00205000.retireDate', 'GG01102000.retireDate'], label: '退休日期', widget: 'date', required: true },
      { name: 'bankAccount', to: ['JF00205000.bankAccount', 'GG01102000.bankAccount'], label: '社会保障卡或本人银行卡号', widget: 'string', required: true },
    ],
  },
  {
    code: 'POSTHUMOUS',
    name: '身后一件事',
    summary: '亲属去世后，一次申请同时办理死亡医学证明、户口注销、丧葬补助金抚恤金申领和基本殡葬服务费用减免。',
    applicableTo: 'person',
    questions: [
      { key: 'insured', label: '逝者是否参加企业职工基本养老保险', options: [yes, no], default: 'yes' },
      { key: 'cremation', label: '是否申请基本殡葬服务费用减免', options: [yes, no], default: 'yes' },
    ],
    parties: [],
    items: [
      { code: 'GG00806000', materials: { id_card: { via: 'form', label: '逝者身份信息在合并表单中填写，经人口库核验' } } },
      {
        code: 'QR00105000',
        materials: {
          death_certificate: { via: 'bundle', from: 'GG00806000', label: '死亡医学证明（本次同步签发，数据共享）' },
          household_register: { via: 'form', label: '逝者户籍信息经人口库核验' },
        },
      },
      {
        code: 'JF00206000',
        when: [{ question: 'insured', in: ['yes'] }],
        materials: {
          death_proof: { via: 'bundle', from: 'QR00105000', label: '户口注销信息共享' },
          kinship_proof: { via: 'form', label: '亲属关系在合并表单中声明，经人口库户籍关系核验' },
          bank_account: { via: 'form', label: '领取账户在合并表单中填写' },
        },
      },
      {
        code: 'JF00709000',
        when: [{ question: 'cremation', in: ['yes'] }],
        materials: { death_certificate: { via: 'bundle', from: 'GG00806000', label: '死亡医学证明（本次同步签发，数据共享）' }, id_card: { via: 'form', label: '逝者身份信息在合并表单中填写，经人口库核验' } },
      },
    ],
    fields: [
      { name: 'deceasedName', to: ['GG00806000.deceasedName', 'QR00105000.deceasedName', 'JF00206000.deceasedName', 'JF00709000.deceasedName'], label: '逝者姓名', widget: 'string', required: true },
      { name: 'deceasedIdNumber', to: ['GG00806000.deceasedIdNumber', 'QR00105000.deceasedIdNumber', 'JF00206000.deceasedIdNumber', 'JF00709000.deceasedIdNumber'], label: '逝者公民身份号码', widget: 'idNumber', required: true },
      { name: 'deathDate', to: ['GG00806000.deathDate', 'QR00105000.deathDate', 'JF00206000.deathDate', 'JF00709000.deathDate'], label: '死亡日期', widget: 'date', required: true },
      { name: 'relation', to: ['QR00105000.relation', 'JF00206000.relation', 'JF00709000.relation'], label: '申请人与逝者关系', widget: 'select', options: ['配偶', '子女', '父母', '其他亲属'], required: true },
      { name: 'applicantName', to: ['GG00806000.applicantName', 'QR00105000.applicantName', 'JF00206000.applicantName', 'JF00709000.applicantName'], label: '申请人姓名', widget: 'string', required: true, prefill: { source: 'person.name' } },
      { name: 'applicantIdNumber', to: ['GG00806000.applicantIdNumber', 'QR00105000.applicantIdNumber', 'JF00206000.applicantIdNumber', 'JF00709000.applicantIdNumber'], label: '申请人公民身份号码', widget: 'idNumber', required: true, prefill: { source: 'person.idNumber' } },
      { name: 'applicantPhone', to: ['QR00105000.contactPhone', 'JF00206000.contactPhone', 'JF00709000.contactPhone'], label: '联系电话', widget: 'phone', required: true, prefill: { source: 'person.phone' } },
      { name: 'bankAccount', to: ['JF00206000.bankAccount'], label: '领取人银行卡号', widget: 'string', required: true },
    ],
  },
]

const isConflict = (err: unknown) => err instanceof AppError && err.status === 409

export async function seedOnethingDemo(core: Core, services: Services): Promise<DemoLogin[]> {
  const { identity, registries, onething, org } = services
  const logins: DemoLogin[] = []
  const passwordHash = await identity.hashPassword(DEMO_PASSWORD)

  // The family: accounts, and one household in the population registry with both parents.
  const rng = seededRandom(1501)
  const people = {
    mother: { ...demoFamily.mother, idNumber: generateIdNumber({ divisionCode: '140902', birthDate: demoFamily.mother.birthDate, sex: 'female', rng }) },
    father: { ...demoFamily.father, idNumber: generateIdNumber({ divisionCode: '140902', birthDate: demoFamily.father.birthDate, sex: 'male', rng }) },
  }
  for (const p of Object.values(people)) {
    try {
      await identity.createPerson('system', { name: p.name, idNumber: p.idNumber, phone: p.phone, passwordHash })
    } catch (err) {
      if (!isConflict(err)) throw err
    }
  }
  const existing = await registries.getPersonByIdNumber(people.father.idNumber, '演示数据准备', 'system')
  if (!existing) {
    const father = await registries.createPerson('system', { idNumber: people.father.idNumber, name: people.father.name, ethnicity: '01', householdDivisionCode: '140902', address: demoFamily.address, phone: people.father.phone, maritalStatus: 'married' })
    const mother = await registries.createPerson('system', { idNumber: people.mother.idNumber, name: people.mother.name, ethnicity: '01', householdDivisionCode: '140902', address: demoFamily.address, phone: people.mother.phone, maritalStatus: 'married' })
    const household = await registries.createHousehold('system', { divisionCode: '140902', address: demoFamily.address, headPersonId: father.id })
    await registries.updatePerson('system', mother.id, { version: mother.version, householdId: household.id, relation: 'spouse' })
  }
  // The mother's e-ID card and household register in her wallet (汇聚 from the police), so the
  // bundle's ID and household materials can come from her licenses with her consent.
  const { licenses } = services
  const police = (await org.listDepartments({ q: '忻州市公安局' }, { page: 1, pageSize: 100 })).items.find((d) => d.name === '忻州市公安局')
  const motherAccount = await identity.findPersonIdByIdNumber(people.mother.idNumber)
  if (police && motherAccount) {
    await licenses.ensureSeal(police.id)
    const holder = { kind: 'person' as const, id: people.mother.idNumber, name: people.mother.name }
    const fields = { sex: '女', birthDate: people.mother.birthDate, address: demoFamily.address }
    if ((await licenses.validLicensesOf(motherAccount, 'resident_id_card')).length === 0) {
      await licenses.issue('system', { type: 'resident_id_card', departmentId: police.id, holder, fields: { ...fields, ethnicity: '汉' }, validFrom: '2021-05-10' })
    }
    if ((await licenses.validLicensesOf(motherAccount, 'household_register')).length === 0) {
      await licenses.issue('system', { type: 'household_register', departmentId: police.id, holder, fields: { ...fields, householdNumber: '140902101501', relation: '妻' }, validFrom: '2020-10-01' })
    }
  }
  logins.push({ face: '/m', role: 'citizen (出生一件事: mother)', username: people.mother.phone, password: DEMO_PASSWORD })
  logins.push({ face: '/m', role: 'citizen (出生一件事: father, co-applicant)', username: people.father.phone, password: DEMO_PASSWORD })

  // One window clerk + reviewer per department of the birth bundle.
  for (const [username, name, department] of departmentStaff) {
    const found = (await org.listDepartments({ q: department }, { page: 1, pageSize: 100 })).items.find((d) => d.name === department)
    if (!found) continue
    try {
      await identity.createStaff('system', { name, username, passwordHash, departmentId: found.id, roles: [{ role: 'window_clerk' }, { role: 'reviewer' }] })
    } catch (err) {
      if (!isConflict(err)) throw err
    }
    logins.push({ face: '/work', role: `window clerk + reviewer, ${department}`, username, password: DEMO_PASSWORD })
  }

  // The bundles: saved again on every start is harmless (same definition), but skip when present.
  for (const b of demoBundles) {
    try {
      await onething.getBundle(b.code)
    } catch (err) {
      if (!(err instanceof AppError && err.status === 404)) throw err
      try {
        await onething.putBundle('system', b)
      } catch (e) {
        // A catalog without one of the items (a trimmed demo) leaves that bundle out.
        if (!(e instanceof AppError && e.status === 422)) throw e
        core.logger.warn({ bundle: b.code, err: e }, 'demo bundle skipped')
      }
    }
  }
  return logins
}
