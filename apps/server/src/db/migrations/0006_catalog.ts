import { sql, type Kysely } from 'kysely'

/**
 * Schema `catalog`: service items (事项) and their versions, plus the synonyms search expands
 * colloquial queries with. An item keeps a stable id and code; each version holds a whole
 * 办事指南 as JSON. The item row also carries a projection of its published version (name, type,
 * department, tsvector of jieba-segmented words, pinyin) so search and browse read one table.
 * Department ids and division codes are plain text, checked through the org service.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create schema catalog`.execute(db)

  await sql`
    create table catalog.item (
      id text primary key,
      -- Local pattern (DB52/T 1264-2018): 2-letter type + 5-digit main + 3-digit sub item.
      code text not null unique check (code ~ '^[A-Z]{2}[0-9]{8}$'),
      created_at timestamptz not null,
      -- Projection of the published version; null until the first publish.
      published_version_id text,
      name text,
      type text,
      department_id text,
      department_name text,
      division_code text,
      applicable_to text,
      handling_class text,
      mode text,
      visits smallint,
      legal_days int,
      promised_days int,
      is_free boolean,
      summary text,
      themes text[] not null default '{}',
      keywords text[] not null default '{}',
      -- Lexemes are jieba tokens written as a tsvector literal: no text-search parser or locale involved.
      search_tsv tsvector,
      -- Initials and full pinyin of the name and keywords, space-separated ("csdj chushengdengji …").
      pinyin text,
      initials text,
      view_count int not null default 0,
      apply_count int not null default 0,
      published_at timestamptz
    )`.execute(db)
  await sql`create index item_search on catalog.item using gin (search_tsv)`.execute(db)
  await sql`create index item_name_trgm on catalog.item using gin (name gin_trgm_ops)`.execute(db)
  await sql`create index item_pinyin_trgm on catalog.item using gin (pinyin gin_trgm_ops)`.execute(db)
  await sql`create index item_themes on catalog.item using gin (themes)`.execute(db)
  await sql`create index item_department on catalog.item (department_id)`.execute(db)
  await sql`create index item_division on catalog.item (division_code text_pattern_ops)`.execute(db)
  await sql`create index item_code_prefix on catalog.item (code text_pattern_ops)`.execute(db)

  await sql`
    create table catalog.item_version (
      id text primary key,
      item_id text not null references catalog.item (id),
      version int not null check (version > 0),
      status text not null check (status in ('draft', 'published', 'superseded')),
      -- Optimistic concurrency for draft edits.
      revision int not null default 1,
      guide jsonb not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      created_by text,
      published_at timestamptz,
      published_by text,
      superseded_at timestamptz,
      unique (item_id, version)
    )`.execute(db)
  await sql`create unique index item_version_one_published on catalog.item_version (item_id) where status = 'published'`.execute(db)
  await sql`create unique index item_version_one_draft on catalog.item_version (item_id) where status = 'draft'`.execute(db)

  // A published or superseded version is what applications were filed under: the database itself
  // refuses to change its content or to delete it, whatever code runs.
  await sql`
    create function catalog.version_immutable() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        if old.status <> 'draft' then
          raise exception 'catalog version % is % and cannot be deleted', old.id, old.status using errcode = '55000';
        end if;
        return old;
      end if;
      if old.status <> 'draft' and (
        new.guide is distinct from old.guide or new.version <> old.version or new.item_id <> old.item_id
        or new.published_at is distinct from old.published_at or new.revision <> old.revision
        or (old.status = 'superseded' and new.status <> 'superseded')
        or (old.status = 'published' and new.status not in ('published', 'superseded'))
      ) then
        raise exception 'catalog version % is % and cannot be changed', old.id, old.status using errcode = '55000';
      end if;
      return new;
    end $$`.execute(db)
  await sql`
    create trigger item_version_immutable before update or delete on catalog.item_version
    for each row execute function catalog.version_immutable()`.execute(db)

  await sql`
    create table catalog.synonym (
      term text primary key check (length(term) between 1 and 30),
      expansions text[] not null check (cardinality(expansions) between 1 and 20),
      updated_at timestamptz not null default now()
    )`.execute(db)
  const seeds = JSON.stringify(synonymSeeds.map(([term, expansions]) => ({ term, expansions })))
  await sql`
    insert into catalog.synonym (term, expansions)
    select s.term, array(select jsonb_array_elements_text(s.expansions))
    from jsonb_to_recordset(${seeds}::jsonb) as s(term text, expansions jsonb)
    on conflict (term) do nothing`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop schema catalog cascade`.execute(db)
}

/**
 * How people say it → words found in item names. Reference data every deployment needs (data
 * admins edit it later); a query containing the term also searches for the expansions.
 */
const synonymSeeds: [string, string[]][] = [
  ['生孩子', ['出生', '新生儿', '生育']],
  ['生小孩', ['出生', '新生儿', '生育']],
  ['生娃', ['出生', '新生儿', '生育']],
  ['宝宝', ['出生', '新生儿']],
  ['新生儿', ['出生', '新生儿']],
  ['出生证', ['出生医学证明']],
  ['上户口', ['出生登记', '户口登记', '户口迁移']],
  ['报户口', ['出生登记', '户口登记']],
  ['落户', ['户口迁移', '出生登记']],
  ['迁户口', ['户口迁移']],
  ['户口本', ['户口簿']],
  ['身份证', ['居民身份证']],
  ['换身份证', ['居民身份证换领']],
  ['身份证丢', ['居民身份证补领']],
  ['丢了', ['补领', '补发']],
  ['掉了', ['补领', '补发']],
  ['开公司', ['企业开办', '企业设立', '设立登记']],
  ['注册公司', ['企业设立', '设立登记', '企业开办']],
  ['办执照', ['设立登记', '营业执照']],
  ['营业执照', ['设立登记', '营业执照', '个体工商户']],
  ['开店', ['个体工商户', '食品经营许可', '营业执照']],
  ['开饭店', ['食品经营许可', '个体工商户']],
  ['开餐馆', ['食品经营许可', '个体工商户']],
  ['开超市', ['食品经营许可', '个体工商户']],
  ['饭店', ['食品经营许可', '餐饮']],
  ['餐馆', ['食品经营许可', '餐饮']],
  ['餐厅', ['食品经营许可', '餐饮']],
  ['小卖部', ['食品经营许可', '个体工商户']],
  ['开药店', ['药品零售', '药品经营许可']],
  ['注销公司', ['企业注销']],
  ['关公司', ['企业注销']],
  ['公司改名', ['企业变更登记']],
  ['刻章', ['公章刻制']],
  ['结婚', ['结婚登记']],
  ['领证', ['结婚登记']],
  ['离婚', ['离婚登记']],
  ['社保卡', ['社会保障卡']],
  ['交社保', ['参保登记', '灵活就业']],
  ['医保', ['医疗保险', '医疗保障']],
  ['看病报销', ['医疗费用', '报销']],
  ['异地看病', ['异地就医']],
  ['外地看病', ['异地就医']],
  ['失业金', ['失业保险金']],
  ['失业了', ['失业保险金', '就业创业证']],
  ['办退休', ['退休', '养老保险待遇']],
  ['养老金', ['养老保险待遇', '退休']],
  ['公积金', ['住房公积金']],
  ['取公积金', ['住房公积金提取']],
  ['房产证', ['不动产登记', '不动产权']],
  ['过户', ['不动产转移登记']],
  ['买房', ['不动产登记', '住房公积金']],
  ['低保', ['最低生活保障']],
  ['残疾证', ['残疾人证']],
  ['老人补贴', ['高龄津贴']],
  ['高龄补贴', ['高龄津贴']],
  ['生育险', ['生育津贴']],
  ['产假工资', ['生育津贴']],
  ['找工作', ['就业', '就业创业证']],
  ['自由职业', ['灵活就业']],
  ['无犯罪证明', ['无犯罪记录证明']],
  ['护照', ['普通护照']],
  ['港澳通行证', ['往来港澳通行证']],
  ['上学', ['入学', '义务教育']],
  ['盖房子', ['建筑工程施工许可', '建设工程规划许可']],
  ['施工许可', ['建筑工程施工许可']],
  ['去世', ['死亡', '丧葬', '注销户口']],
  ['人走了', ['死亡', '丧葬', '注销户口']],
  ['暂住证', ['居住证']],
  ['二胎', ['生育登记']],
  ['三孩', ['生育登记']],
]
