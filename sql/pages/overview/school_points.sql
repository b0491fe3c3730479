-- Every school of the scope in a year with its context (ИСБШ) and overall result.
with status as (
    select school_id,
        bool_or(programme = 'ШНОР') as is_shnor,
        bool_or(programme = 'ШНСУ') as is_shnsu,
        bool_or(programme = '500+') as is_500
    from programme_membership
    where year = $year
    group by school_id
),

final as (
    select
        s.school_id, s.name, s.short_name, mu.name as municipality, s.settlement_type,
        s.programme_type, s.is_small, coalesce(p.pupils, s.pupils) as pupils,
        si.isbsh, si.quartile, r.result_index, r.participants_total,
        coalesce(st.is_shnor, false) as is_shnor,
        coalesce(st.is_shnsu, false) as is_shnsu,
        coalesce(st.is_500, false) as is_500
    from schools as s
    join municipalities as mu using (municipality_id)
    left join social_passport as p on p.school_id = s.school_id and p.year = $year
    left join social_index as si on si.school_id = s.school_id and si.year = $year
    left join school_year_results as r on r.school_id = s.school_id and r.year = $year
    left join status as st on st.school_id = s.school_id
    where $municipality is null or s.municipality_id = $municipality
)

select * from final
order by school_id
