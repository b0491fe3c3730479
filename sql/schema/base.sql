-- The region's data as loaded from its files (or from the demo generator).
-- Shares are fractions in 0..1; years are calendar years of the exam or programme.
-- Derived tables (refreshed from these) are declared in sql/schema/derived.sql.

create table if not exists municipalities (
    municipality_id varchar primary key,
    name varchar not null unique,
    kind varchar check (kind in ('столица', 'город', 'сельский район', 'горный район')),
    center_lat double check (center_lat between -90 and 90),
    center_lon double check (center_lon between -180 and 180)
);

create table if not exists schools (
    school_id varchar primary key,
    name varchar not null,
    short_name varchar,
    municipality_id varchar not null references municipalities (municipality_id),
    -- A region's own files may lack these (a ФИС ОКО export names only the school): empty,
    -- and the pages say what cannot be judged without them.
    settlement_type varchar check (settlement_type in ('город', 'посёлок', 'село')),
    school_level varchar check (school_level in ('НОШ', 'ООШ', 'СОШ')),
    programme_type varchar
        check (programme_type in ('обычная', 'лицей', 'гимназия', 'СОШ с УИОП')),
    pupils integer check (pupils >= 0),
    is_small boolean,
    distance_km double check (distance_km >= 0),
    lat double check (lat between -90 and 90),
    lon double check (lon between -180 and 180),
    -- How other files name the school: its ФИС ОКО login (edu…), ОГРН and ИНН.
    fis_login varchar,
    ogrn varchar,
    inn varchar
);

create table if not exists exam_results (
    school_id varchar not null references schools (school_id),
    year integer not null check (year between 2000 and 2100),
    exam varchar not null check (exam in ('ВПР', 'ОГЭ', 'ЕГЭ')),
    subject varchar not null,
    grade integer not null,
    participants integer not null check (participants >= 0),
    mean_score double check (mean_score >= 0),
    share_2 double check (share_2 between 0 and 1),
    share_3 double check (share_3 between 0 and 1),
    share_4 double check (share_4 between 0 and 1),
    share_5 double check (share_5 between 0 and 1),
    share_below_min double check (share_below_min between 0 and 1),
    share_81plus double check (share_81plus between 0 and 1),
    -- The standard deviation of the school's pupils' scores, where the organiser of the
    -- procedure states it (a regional exam centre has the pupils' scores); in score points.
    pupil_sd double check (pupil_sd >= 0),
    primary key (school_id, year, exam, subject, grade),
    check (
        (exam = 'ВПР' and grade between 4 and 11)
        or (exam = 'ОГЭ' and grade = 9)
        or (exam = 'ЕГЭ' and grade = 11)
    ),
    check (exam <> 'ЕГЭ' or mean_score <= 100),
    check (
        share_2 is null or share_3 is null or share_4 is null or share_5 is null
        or abs(share_2 + share_3 + share_4 + share_5 - 1) <= 0.011
    )
);

-- What the two threshold shares of a procedure count, where they are not the ЕГЭ minimum
-- score and 81 points: an open-data file of ЕГЭ over three subjects counts «160 баллов и
-- менее» (in share_below_min) and «более 220 баллов» (in share_81plus).
create table if not exists procedure_thresholds (
    exam varchar not null check (exam in ('ВПР', 'ОГЭ', 'ЕГЭ')),
    subject varchar not null,
    grade integer not null,
    low_label varchar not null,
    high_label varchar not null,
    primary key (exam, subject, grade)
);

-- The primary scores that earn marks «3», «4» and «5» in a procedure (for ВПР, the federal
-- recommendations of the year, data/mark_boundaries.csv); the analytics take a year's
-- boundaries, or the nearest earlier year's. Editable on the page «Данные».
create table if not exists mark_boundaries (
    year integer not null check (year between 2000 and 2100),
    exam varchar not null check (exam in ('ВПР', 'ОГЭ', 'ЕГЭ')),
    subject varchar not null,
    grade integer not null check (grade between 1 and 11),
    max_score integer not null check (max_score > 0),
    min_3 integer not null check (min_3 > 0),
    min_4 integer not null,
    min_5 integer not null,
    primary key (year, exam, subject, grade),
    check (min_3 < min_4 and min_4 < min_5 and min_5 <= max_score)
);

-- The distribution of primary scores of a procedure at a school (ФИС ОКО): the share of
-- participants with each primary score.
create table if not exists score_distributions (
    school_id varchar not null references schools (school_id),
    year integer not null check (year between 2000 and 2100),
    exam varchar not null check (exam in ('ВПР', 'ОГЭ', 'ЕГЭ')),
    subject varchar not null,
    grade integer not null check (grade between 1 and 11),
    score integer not null check (score >= 0),
    share double not null check (share between 0 and 1),
    primary key (school_id, year, exam, subject, grade, score)
);

-- The federal list of ВПР objectivity markers (ФИС ОКО): 1 where a school's results in a
-- grade and subject were marked as doubtful.
create table if not exists official_objectivity_markers (
    school_id varchar not null references schools (school_id),
    year integer not null check (year between 2000 and 2100),
    grade integer not null check (grade between 1 and 11),
    subject varchar not null,
    marker boolean not null,
    primary key (school_id, year, grade, subject)
);

-- ВПР (or other) marks compared with the same pupils' term marks.
create table if not exists term_marks (
    school_id varchar not null references schools (school_id),
    year integer not null check (year between 2000 and 2100),
    exam varchar not null check (exam in ('ВПР', 'ОГЭ', 'ЕГЭ')),
    subject varchar not null,
    grade integer not null check (grade between 1 and 11),
    participants integer not null check (participants >= 0),
    share_term_2 double check (share_term_2 between 0 and 1),
    share_term_3 double check (share_term_3 between 0 and 1),
    share_term_4 double check (share_term_4 between 0 and 1),
    share_term_5 double check (share_term_5 between 0 and 1),
    share_exam_below_term double check (share_exam_below_term between 0 and 1),
    share_exam_equal_term double check (share_exam_equal_term between 0 and 1),
    share_exam_above_term double check (share_exam_above_term between 0 and 1),
    primary key (school_id, year, exam, subject, grade)
);

create table if not exists social_passport (
    school_id varchar not null references schools (school_id),
    year integer not null check (year between 2000 and 2100),
    pupils integer not null check (pupils >= 0),
    share_parents_higher_ed double check (share_parents_higher_ed between 0 and 1),
    share_single_parent double check (share_single_parent between 0 and 1),
    share_low_income double check (share_low_income between 0 and 1),
    share_large_family double check (share_large_family between 0 and 1),
    share_registered double check (share_registered between 0 and 1),
    share_non_native double check (share_non_native between 0 and 1),
    share_disabled double check (share_disabled between 0 and 1),
    share_difficult_situation double check (share_difficult_situation between 0 and 1),
    primary key (school_id, year)
);

create table if not exists staff (
    school_id varchar not null references schools (school_id),
    year integer not null check (year between 2000 and 2100),
    teachers integer not null check (teachers >= 0),
    share_highest_category double check (share_highest_category between 0 and 1),
    share_higher_ped_ed double check (share_higher_ped_ed between 0 and 1),
    share_age_under_35 double check (share_age_under_35 between 0 and 1),
    share_age_35_55 double check (share_age_35_55 between 0 and 1),
    share_age_55_plus double check (share_age_55_plus between 0 and 1),
    vacancies integer check (vacancies >= 0),
    primary key (school_id, year)
);

create table if not exists olympiads_continuation (
    school_id varchar not null references schools (school_id),
    year integer not null check (year between 2000 and 2100),
    share_olympiad double check (share_olympiad between 0 and 1),
    grade9_leavers integer check (grade9_leavers >= 0),
    share_continue_grade10 double check (share_continue_grade10 between 0 and 1),
    primary key (school_id, year)
);

-- The «500+» factor list changes from year to year, so it is data, not code.
create table if not exists risk_factors (
    year integer not null check (year between 2000 and 2100),
    factor_code integer not null check (factor_code > 0),
    factor_name varchar not null,
    primary key (year, factor_code)
);

create table if not exists risk_profiles (
    school_id varchar not null references schools (school_id),
    year integer not null,
    factor_code integer not null,
    risk_level varchar not null check (risk_level in ('высокий', 'средний', 'низкий')),
    primary key (school_id, year, factor_code),
    foreign key (year, factor_code) references risk_factors (year, factor_code)
);

create table if not exists curators (
    curator_id varchar primary key,
    full_name varchar not null,
    organisation varchar,
    municipality_id varchar references municipalities (municipality_id)
);

create table if not exists programme_membership (
    school_id varchar not null references schools (school_id),
    year integer not null check (year between 2000 and 2100),
    programme varchar not null check (programme in ('ШНОР', 'ШНСУ', '500+')),
    curator_id varchar references curators (curator_id),
    partner_school_id varchar references schools (school_id),
    primary key (school_id, year, programme),
    check (partner_school_id is null or partner_school_id <> school_id)
);

create table if not exists monitoring_indicators (
    indicator varchar primary key,
    name varchar not null,
    unit varchar not null,
    higher_is_better boolean not null
);

create table if not exists monitoring_stages (
    school_id varchar not null references schools (school_id),
    year integer not null check (year between 2000 and 2100),
    stage varchar not null check (stage in ('входной', 'промежуточный', 'итоговый')),
    indicator varchar not null references monitoring_indicators (indicator),
    value double not null,
    stage_date date,
    primary key (school_id, year, stage, indicator)
);

create table if not exists roadmap_events (
    event_id varchar primary key,
    level varchar not null check (level in ('регион', 'муниципалитет', 'школа')),
    municipality_id varchar references municipalities (municipality_id),
    school_id varchar references schools (school_id),
    year integer not null check (year between 2000 and 2100),
    title varchar not null,
    period_start date not null,
    period_end date not null,
    responsible varchar,
    expected_result varchar,
    status varchar not null
        check (status in ('запланировано', 'выполняется', 'выполнено', 'не выполнено')),
    evidence varchar,
    check (period_end >= period_start),
    check (level <> 'муниципалитет' or municipality_id is not null),
    check (level <> 'школа' or school_id is not null)
);

-- Structure the demo generator planted on purpose, so tests can check the analytics find it.
create table if not exists demo_truth (
    school_id varchar not null references schools (school_id),
    kind varchar not null
        check (
            kind in (
                'archetype', 'resilient', 'inflated_vpr', 'bunching', 'improving', 'declining'
            )
        ),
    value varchar,
    primary key (school_id, kind)
);

create table if not exists region_info (
    key varchar primary key,
    value varchar not null
);

-- Named sets of identification settings (analytics.settings.Settings as JSON); the active one
-- is what the derived tables were computed with.
create table if not exists settings_presets (
    name varchar primary key check (length(trim(name)) > 0),
    settings_json varchar not null,
    is_active boolean not null default false,
    saved_at timestamp not null
);

-- The region's catalogue of support measures per risk factor, as the methodologist edits it
-- (empty: the catalogue shipped with the product, data/support_measures.csv). Kept like the
-- presets when the region's rows are replaced.
create table if not exists support_measures (
    -- The methodologist's order: a factor gets the first measures that fit it.
    position integer not null,
    factor_keyword varchar not null check (length(trim(factor_keyword)) > 0),
    measure varchar not null check (length(trim(measure)) > 0),
    description varchar,
    level varchar check (level in ('регион', 'муниципалитет', 'школа')),
    source varchar,
    primary key (factor_keyword, measure)
);

-- Every successful import: when, by whom, which file (name and SHA-256), rows per table.
create table if not exists import_history (
    imported_at timestamp not null,
    user_name varchar,
    file_name varchar not null,
    file_hash varchar not null,
    table_name varchar not null,
    rows_in_file integer not null,
    added integer not null,
    changed integer not null,
    unchanged integer not null,
    outcome varchar not null
);
