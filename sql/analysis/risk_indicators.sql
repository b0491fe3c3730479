-- Indicators that stand for risk factors, per school and programme year (years of the factor
-- list), for schools without a questionnaire. Higher always means more risk.
with years as (
    select distinct year from risk_factors
),

staff_ranked as (
    select
        school_id,
        year,
        -- Staff pressure: the mean of two regional percentiles, vacancies per 100 teachers and
        -- the share of teachers aged 55 and over.
        (
            percent_rank() over (
                partition by year order by coalesce(vacancies, 0) * 100.0 / greatest(teachers, 1)
            )
            + percent_rank() over (partition by year order by share_age_55_plus)
        ) / 2 as staff_pressure
    from staff
    where teachers > 0 and share_age_55_plus is not null
),

final as (
    select
        s.school_id,
        y.year,
        st.staff_pressure,
        p.share_non_native,
        p.share_disabled,
        r.share_fail,
        cast(null as double) as parent_involvement_risk,
        100 - si.isbsh as isbsh_risk,
        -r.result_index as result_risk
    from schools as s
    cross join years as y
    left join staff_ranked as st on st.school_id = s.school_id and st.year = y.year
    left join social_passport as p on p.school_id = s.school_id and p.year = y.year
    left join school_year_results as r on r.school_id = s.school_id and r.year = y.year
    left join social_index as si on si.school_id = s.school_id and si.year = y.year
)

select * from final
order by school_id, year
