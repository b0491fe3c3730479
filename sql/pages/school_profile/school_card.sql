-- The school register entry with its municipality and the year's context.
select
    s.*, mu.name as municipality, mu.kind as municipality_kind,
    p.pupils as passport_pupils, si.isbsh, si.quartile, si.imputed as isbsh_imputed,
    r.result_index, r.participants_total
from schools as s
join municipalities as mu using (municipality_id)
left join social_passport as p on p.school_id = s.school_id and p.year = $year
left join social_index as si on si.school_id = s.school_id and si.year = $year
left join school_year_results as r on r.school_id = s.school_id and r.year = $year
where s.school_id = $school_id
