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

-- The spread τ² of the schools' true pooled results over the whole region (DerSimonian and
-- Laird, as analytics.shrinkage.between_variance), for the Empirical-Bayes estimates.
weighted as (
    select residual, 1.0 / (se * se) as w from pooled where se > 0
),

centre as (
    select sum(w * residual) / sum(w) as centre from weighted
),

spread as (
    select
        case when count(*) >= 3 then greatest(
            0.0,
            (sum(w * (residual - centre) * (residual - centre)) - (count(*) - 1))
            / (sum(w) - sum(w * w) / sum(w))
        ) end as tau2
    from weighted, centre
),

shrunk as (
    select
        p.*,
        -- The reliability λ = τ² / (τ² + se²): the estimate λ·r, its posterior sd √λ·se.
        s.tau2 / (s.tau2 + p.se * p.se) * p.residual as shrunk,
        sqrt(s.tau2 / (s.tau2 + p.se * p.se)) * p.se as shrunk_se
    from pooled as p, spread as s
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
    from shrunk as p
    join schools as s using (school_id)
    join municipalities as m using (municipality_id)
    left join social_index as si on si.school_id = p.school_id and si.year = $year
    left join identification as i on i.school_id = p.school_id and i.year = $year
    where $municipality is null or s.municipality_id = $municipality
)

select * from final
order by school_id
