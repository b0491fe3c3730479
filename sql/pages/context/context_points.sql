-- Schools of the scope with ИСБШ, result and context-adjusted result for one procedure
-- (exam, subject, grade given) or pooled over the exams in $exams (subject null).
with rows as (
    select *
    from context_adjusted
    where year = $year
        and residual is not null
        and (
            ($subject is null and list_contains($exams, exam))
            or (exam = $exam and subject = $subject and grade = $grade)
        )
        and participants >= $min_participants
),

pooled as (
    select
        school_id,
        sum(participants) as participants,
        sum(participants * z_score) / sum(participants) as result,
        sum(participants * residual) / sum(participants) as residual,
        sqrt(sum(participants * participants * se * se)) / sum(participants) as se,
        -- The typical spread of one pupil's result, for the funnel's limits.
        sqrt(sum(participants * pupil_sd * pupil_sd) / sum(participants)) as pupil_sd,
        count(*) as procedures
    from rows
    group by school_id
),

final as (
    select
        p.*,
        p.residual - 1.959964 * p.se as lower,
        p.residual + 1.959964 * p.se as upper,
        s.name, s.short_name, m.name as municipality, s.settlement_type, s.programme_type,
        si.isbsh, si.quartile,
        coalesce(i.resilient, false) as resilient,
        coalesce(i.shnor, false) as shnor,
        coalesce(i.shnsu, false) as shnsu
    from pooled as p
    join schools as s using (school_id)
    join municipalities as m using (municipality_id)
    left join social_index as si on si.school_id = p.school_id and si.year = $year
    left join identification as i on i.school_id = p.school_id and i.year = $year
    where $municipality is null or s.municipality_id = $municipality
)

select * from final
order by school_id
