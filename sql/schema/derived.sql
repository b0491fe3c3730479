-- The derived tables: recomputed in full from the base tables (sql/schema/base.sql) by
-- radar/store/refresh.py, which drops and recreates them from this file first. The SQL steps
-- of sql/derived/ and the frames of analytics/pipeline.py are stored by column name and must
-- give exactly these columns.

-- One row per school, year and procedure with practitioners' figures and the result
-- standardised within the procedure-year (sql/derived/01_procedure_results.sql).
create table if not exists procedure_results (
    school_id varchar,
    year integer,
    exam varchar,
    subject varchar,
    grade integer,
    participants integer,
    mean_score double,
    mean_mark double,
    share_2 double,
    share_3 double,
    share_4 double,
    share_5 double,
    share_fail double,
    success_rate double,
    quality_rate double,
    share_below_min double,
    share_81plus double,
    -- What the threshold shares count, where not the ЕГЭ minimum and 81 points.
    low_label varchar,
    high_label varchar,
    region_mean double,
    -- The region's share of «2» in the procedure-year (participant-weighted): what the
    -- relative form of the «2» rule compares with.
    region_share_fail double,
    z_score double,
    -- The spread of the school's pupils' scores where the file states it, in z_score units.
    stated_pupil_sd double
);

-- A school's overall standardised result in a year, overall and per exam
-- (sql/derived/02_school_year_results.sql).
create table if not exists school_year_results (
    school_id varchar,
    year integer,
    result_index double,
    participants_total hugeint,
    procedures bigint,
    vpr_index double,
    oge_index double,
    ege_index double,
    share_fail double
);

-- ИСБШ per school-year (analytics.social_index via analytics.pipeline.compute_social).
create table if not exists social_index (
    school_id varchar,
    year integer,
    index_raw double,
    isbsh double,
    quartile integer,
    n_missing integer,
    imputed boolean,
    excluded varchar
);

-- Results against what the school's context predicts, per procedure (analytics.context).
create table if not exists context_adjusted (
    school_id varchar,
    year integer,
    exam varchar,
    subject varchar,
    grade integer,
    participants integer,
    z_score double,
    expected double,
    residual double,
    se double,
    lower double,
    upper double,
    band varchar,
    isbsh_slope double,
    pupil_sd double,
    -- Empirical-Bayes: the deviation drawn toward zero by its noise, and its reliability.
    shrunk double,
    reliability double
);

-- The context-adjusted result per school, year and scope (analytics.context).
create table if not exists school_adjusted (
    school_id varchar,
    year integer,
    scope varchar,
    participants bigint,
    procedures bigint,
    residual double,
    se double,
    lower double,
    upper double,
    band varchar,
    -- The Empirical-Bayes estimates pooled the same way (analytics.context.combine).
    shrunk double,
    shrunk_se double
);

-- Cohort value added (analytics.cohort): the same class from an earlier procedure to a later
-- one (ВПР grade g → g + 1 a year later; ОГЭ → ЕГЭ two years later), the later result against
-- what the region's line predicts from the earlier one, pooled over subjects. `year` is the
-- year of the later result; results in z (standard deviations of school results).
create table if not exists cohort_value_added (
    school_id varchar,
    link varchar,
    earlier_exam varchar,
    earlier_grade integer,
    later_exam varchar,
    later_grade integer,
    earlier_year integer,
    year integer,
    subjects integer,
    earlier_participants integer,
    participants integer,
    earlier_result double,
    later_result double,
    expected double,
    residual double,
    se double,
    lower double,
    upper double,
    band varchar
);

-- The region's lines of cohort value added: one per link, pair of subjects and pair of years
-- (slope corrected for the noise of the earlier school means; its reliability).
create table if not exists cohort_fits (
    link varchar,
    earlier_exam varchar,
    earlier_grade integer,
    later_exam varchar,
    later_grade integer,
    earlier_subject varchar,
    subject varchar,
    earlier_year integer,
    year integer,
    schools integer,
    slope double,
    intercept double,
    reliability double
);

-- The ШНОР/ШНСУ rules per school-year and resilience (analytics.identification,
-- analytics.resilience).
create table if not exists identification (
    school_id varchar,
    year bigint,
    distance_km double,
    is_small boolean,
    isbsh double,
    isbsh_quartile integer,
    pupils integer,
    bottom_years bigint,
    bottom_procedure varchar,
    bottom_fired boolean,
    fail_procedures bigint,
    fail_repeat_procedure varchar,
    fail_fired boolean,
    vpr_gap double,
    ege_gap double,
    gap_fired boolean,
    olympiad_share double,
    continuation_share double,
    olympiad_fired boolean,
    continuation_fired boolean,
    isbsh_fired boolean,
    remote_small_fired boolean,
    shnor_rules_fired bigint,
    shnor boolean,
    shnsu boolean,
    reasons varchar,
    adjusted_result double,
    adjusted_se double,
    adjusted_band varchar,
    result double,
    result_quartile double,
    resilient_adjusted boolean,
    resilient_quartiles boolean,
    resilient boolean
);

-- Suggested partner schools (analytics.resilience).
create table if not exists partner_suggestions (
    school_id varchar,
    year bigint,
    rank bigint,
    partner_id varchar,
    tier bigint,
    similarity double,
    distance_km double,
    partner_adjusted double,
    reason varchar
);

-- Risk profiles: loaded ones, and derived ones for the other schools (analytics.risk).
create table if not exists risk_profiles_derived (
    school_id varchar,
    year bigint,
    factor_code bigint,
    risk_level varchar,
    factor_name varchar,
    source varchar,
    indicator varchar,
    value double
);

-- Risk clusters of the schools, per year (analytics.risk).
create table if not exists risk_clusters (
    school_id varchar,
    year bigint,
    cluster_id bigint,
    cluster_name varchar,
    distance double,
    ward_cluster bigint
);

-- Mean risk level of each factor in each cluster (analytics.risk).
create table if not exists risk_cluster_centres (
    year bigint,
    cluster_id bigint,
    factor_code bigint,
    factor_name varchar,
    short_name varchar,
    mean_level double,
    region_mean double,
    z double,
    defining boolean
);

-- Silhouette per number of clusters, and the agreement with Ward's clusters.
create table if not exists risk_cluster_quality (
    k bigint,
    silhouette double,
    year bigint,
    chosen boolean,
    ari_ward double
);

-- Support measures for the defining factors of each cluster (data/support_measures.csv).
create table if not exists risk_cluster_measures (
    year bigint,
    cluster_id bigint,
    factor_code bigint,
    factor_name varchar,
    measure varchar,
    description varchar,
    level varchar,
    source varchar
);

-- Monitoring indicators at each stage and their changes (analytics.monitoring).
create table if not exists monitoring_changes (
    school_id varchar,
    year integer,
    indicator varchar,
    entry double,
    intermediate double,
    final double,
    name varchar,
    unit varchar,
    higher_is_better boolean,
    change_intermediate double,
    change_final double
);

-- «Положительная динамика» per school-year (analytics.monitoring).
create table if not exists monitoring_progress (
    school_id varchar,
    year bigint,
    indicators_known bigint,
    improved bigint,
    high_risks_entry double,
    high_risks_final double,
    positive boolean,
    status varchar,
    reason varchar
);

-- Signs of doubtful ВПР objectivity (analytics.objectivity).
create table if not exists objectivity_flags (
    school_id varchar,
    year bigint,
    flag varchar,
    name varchar,
    value double,
    threshold double,
    fired boolean,
    evidence varchar
);

-- Trend figures per school and indicator as of every year (analytics.dynamics).
create table if not exists trends (
    as_of bigint,
    school_id varchar,
    indicator varchar,
    n_points bigint,
    first_year bigint,
    last_year bigint,
    last_value double,
    previous_year bigint,
    change_last double,
    slope double,
    slope_se double,
    slope_low double,
    slope_high double,
    p_value double,
    theil_slope double,
    theil_low double,
    theil_high double,
    mk_tau double,
    mk_p double
);

-- The colour of each trend (analytics.dynamics).
create table if not exists status_change (
    as_of bigint,
    school_id varchar,
    indicator varchar,
    change_rate double,
    status bigint,
    change double,
    colour varchar,
    colour_name varchar,
    colour_hex varchar,
    symbol varchar,
    label varchar
);

-- Trends per procedure of the latest year (analytics.dynamics).
create table if not exists procedure_trends (
    school_id varchar,
    exam varchar,
    subject varchar,
    grade integer,
    n_points bigint,
    first_year bigint,
    last_year bigint,
    last_value double,
    previous_year bigint,
    change_last double,
    slope double,
    slope_se double,
    slope_low double,
    slope_high double,
    p_value double,
    theil_slope double,
    theil_low double,
    theil_high double,
    mk_tau double,
    mk_p double,
    change_rate double,
    status bigint,
    change double,
    colour varchar,
    colour_name varchar,
    colour_hex varchar,
    symbol varchar,
    label varchar,
    indicator varchar,
    as_of bigint
);

-- Schools on no list whose result, if its trend continues, falls into the bottom group
-- (analytics.dynamics).
create table if not exists early_warning (
    as_of bigint,
    school_id varchar,
    last_value double,
    theil_slope double,
    slope double,
    mk_p double,
    projected double,
    threshold double
);
