-- A school's social passport in a year against its municipality and the region
-- (pupil-weighted means), in long form: one row per share.
with passport as (
    select p.*, s.municipality_id
    from social_passport as p
    join schools as s using (school_id)
    where p.year = $year
),

long as (
    unpivot passport
    on share_parents_higher_ed, share_single_parent, share_low_income, share_large_family,
        share_registered, share_non_native, share_disabled, share_difficult_situation
    into name indicator value share
),

final as (
    select
        indicator,
        max(share) filter (where school_id = $school_id) as school,
        sum(pupils * share) filter (
            where municipality_id = (select municipality_id from schools where school_id = $school_id)
        ) / sum(pupils) filter (
            where municipality_id = (select municipality_id from schools where school_id = $school_id)
        ) as municipality,
        sum(pupils * share) / sum(pupils) as region
    from long
    group by indicator
)

select * from final order by indicator
