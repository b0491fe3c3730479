-- A school's ИСБШ place in the region for a year (1 = the most well-off).
with ranked as (
    select school_id, isbsh, quartile,
        rank() over (order by isbsh desc) as place,
        count(*) over () as schools
    from social_index
    where year = $year and isbsh is not null
)

select * from ranked where school_id = $school_id
