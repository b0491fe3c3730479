-- ИСБШ per school-year as computed by analytics.social_index (a registered frame).
create or replace table social_index as
select
    school_id,
    cast(year as integer) as year,
    index_raw,
    isbsh,
    cast(quartile as integer) as quartile,
    cast(n_missing as integer) as n_missing,
    imputed,
    excluded
from computed_social_index
order by school_id, year
