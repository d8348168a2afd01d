import { sql, type Kysely } from 'kysely'

/**
 * Schema `hotline`: the 12345 citizen hotline. Work orders (工单) with their timeline and photos,
 * service categories (also the Open311 service list), knowledge-base articles, dispatch rules,
 * the centre's settings and the API keys of Open311 clients. Department, division and account ids
 * are plain text owned by org and identity; foreign keys stay inside this schema.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema hotline`.execute(db)
  await sql`
    create table hotline.category (
      code text primary key,
      name text not null,
      name_en text not null,
      grp text not null,
      default_type text not null,
      description text not null default '',
      created_at timestamptz not null
    )`.execute(db)

  // Ticket numbers: RX + YYYYMMDD + a sequence value; a sequence never serialises concurrent intake.
  await sql`create sequence hotline.ticket_number_seq`.execute(db)
  await sql`
    create table hotline.ticket (
      id text primary key,
      number text not null unique,
      type text not null check (type in ('consult', 'help', 'complaint', 'report', 'suggestion', 'praise')),
      channel text not null check (channel in ('phone', 'web', 'mobile', 'open311')),
      status text not null check (status in ('registered', 'dispatched', 'returned', 'processing', 'replied', 'callback', 'closed', 'merged')),
      category_code text not null references hotline.category (code),
      title text not null,
      content text not null,
      -- jieba words of title + content: duplicate detection compares them.
      tokens text[] not null default '{}',
      address text,
      division_code text,
      lat double precision,
      lng double precision,
      reporter_name text,
      reporter_phone text,
      reporter_email text,
      reporter_account_id text,
      anonymous boolean not null default false,
      api_key_id text,
      department_id text,
      department_name text,
      assist_department_ids text[] not null default '{}',
      dispatched_at timestamptz,
      sign_due_at timestamptz,
      signed_at timestamptz,
      limit_days int,
      extension_days int not null default 0,
      due_at timestamptz,
      yellow_at timestamptz,
      light text check (light in ('green', 'yellow', 'red')),
      extension jsonb,
      reply jsonb,
      replied_at timestamptz,
      callback jsonb,
      satisfaction text check (satisfaction in ('satisfied', 'basically_satisfied', 'unsatisfied')),
      resolved boolean,
      close_kind text check (close_kind in ('direct', 'callback', 'no_callback')),
      closed_at timestamptz,
      merged_into text,
      kb_article_id text,
      reopen_count int not null default 0,
      version int not null default 1,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db)
  // The centre's queues (to dispatch, to review, to call back) and Open311 listings by date.
  await sql`create index ticket_status on hotline.ticket (status, created_at)`.execute(db)
  await sql`create index ticket_created on hotline.ticket (created_at)`.execute(db)
  // The department's queue: its tickets by status, oldest deadline first.
  await sql`create index ticket_department on hotline.ticket (department_id, status, due_at)`.execute(db)
  await sql`create index ticket_assist on hotline.ticket using gin (assist_department_ids)`.execute(db)
  await sql`create index ticket_phone on hotline.ticket (reporter_phone, created_at desc)`.execute(db)
  await sql`create index ticket_account on hotline.ticket (reporter_account_id, created_at desc)`.execute(db)
  await sql`create index ticket_place on hotline.ticket (division_code, created_at)`.execute(db)
  await sql`create index ticket_running on hotline.ticket (due_at) where status in ('dispatched', 'processing')`.execute(db)

  await sql`
    create table hotline.timeline (
      id text primary key,
      ticket_id text not null references hotline.ticket (id),
      action text not null,
      from_status text,
      to_status text not null,
      actor_id text,
      actor_name text,
      actor_role text,
      department_id text,
      opinion text,
      at timestamptz not null
    )`.execute(db)
  await sql`create index timeline_ticket on hotline.timeline (ticket_id, at, id)`.execute(db)

  await sql`
    create table hotline.photo (
      id text primary key,
      ticket_id text not null references hotline.ticket (id),
      file_name text not null,
      content_type text not null,
      size_bytes int not null,
      sm3 text not null,
      storage_key text not null,
      uploaded_by text,
      uploaded_at timestamptz not null
    )`.execute(db)
  await sql`create index photo_ticket on hotline.photo (ticket_id)`.execute(db)

  await sql`
    create table hotline.kb_article (
      id text primary key,
      title text not null,
      body text not null,
      keywords text[] not null default '{}',
      tokens text[] not null default '{}',
      department_id text not null,
      department_name text not null,
      category_code text references hotline.category (code),
      status text not null check (status in ('published', 'archived')),
      version int not null default 1,
      created_by text,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db)
  await sql`create index kb_tokens on hotline.kb_article using gin (tokens)`.execute(db)

  await sql`
    create table hotline.dispatch_rule (
      id text primary key,
      category_code text references hotline.category (code),
      division_prefix text,
      department_id text not null,
      department_name text not null,
      assist_department_ids text[] not null default '{}',
      version int not null default 1,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db)
  await sql`create unique index dispatch_rule_key on hotline.dispatch_rule (coalesce(category_code, ''), coalesce(division_prefix, ''))`.execute(db)

  await sql`
    create table hotline.settings (
      id int primary key check (id = 1),
      city_code text not null,
      deadline_days jsonb not null,
      sign_hours int not null,
      duplicate_window_days int not null,
      duplicate_radius_m int not null,
      version int not null default 1,
      updated_at timestamptz not null
    )`.execute(db)
  await sql`
    insert into hotline.settings (id, city_code, deadline_days, sign_hours, duplicate_window_days, duplicate_radius_m, updated_at)
    values (1, '140900', '{"consult":1,"help":3,"complaint":5,"report":5,"suggestion":5,"praise":5}', 2, 7, 300, now())`.execute(db)

  await sql`
    create table hotline.api_key (
      id text primary key,
      name text not null,
      key_hash text not null unique,
      created_by text,
      created_at timestamptz not null,
      revoked_at timestamptz
    )`.execute(db)

  // The service categories (the Open311 service list); hotline admins add more.
  const categories: [string, string, string, string, string, string][] = [
    ['social_security', '社会保障', 'Social security', '民生服务', 'consult', '社保卡、养老保险、医疗保险、失业保险等'],
    ['household', '户籍证件', 'Household registration and ID', '民生服务', 'consult', '户口、身份证、居住证等'],
    ['noise', '噪音扰民', 'Noise nuisance', '城市管理', 'complaint', '施工、商铺、娱乐场所、邻里噪音'],
    ['environment', '环境污染', 'Environmental pollution', '城市管理', 'report', '大气、水、固废污染，油烟'],
    ['sanitation', '市容环卫', 'Street cleaning and refuse', '城市管理', 'complaint', '垃圾清运、道路保洁、占道经营'],
    ['road_traffic', '道路交通', 'Roads and traffic', '城市管理', 'help', '路面破损、井盖缺失、信号灯、公交'],
    ['housing', '住房物业', 'Housing and property management', '民生服务', 'complaint', '物业服务、房屋质量、供暖'],
    ['utilities', '水电气暖', 'Water, power, gas and heating', '民生服务', 'help', '停水停电、燃气、集中供热'],
    ['market', '市场监管', 'Market regulation', '市场秩序', 'complaint', '食品安全、消费纠纷、价格'],
    ['health', '医疗卫生', 'Health care', '民生服务', 'consult', '医院服务、疫苗接种、医保报销'],
    ['civil_affairs', '民政服务', 'Civil affairs', '民生服务', 'consult', '低保、养老服务、婚姻登记'],
    ['labour', '劳动就业', 'Labour and employment', '民生服务', 'help', '欠薪、劳动合同、就业创业'],
    ['government_service', '政务服务', 'Government services', '政务服务', 'suggestion', '办事流程、窗口服务、一网通办'],
    ['other', '其他', 'Other', '其他', 'consult', '其他诉求'],
  ]
  for (const [code, name, nameEn, grp, type, description] of categories) {
    await sql`insert into hotline.category (code, name, name_en, grp, default_type, description, created_at) values (${code}, ${name}, ${nameEn}, ${grp}, ${type}, ${description}, now())`.execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop schema hotline cascade`.execute(db)
}
