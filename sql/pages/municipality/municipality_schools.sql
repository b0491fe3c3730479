-- Every school of a municipality with its figures of the year and its trend colour.
select
    s.name as "Школа",
    si.isbsh as "ИСБШ",
    r.result_index as "Сводный результат",
    r.share_fail as "Доля «2»",
    a.residual as "С учётом контекста",
    coalesce(i.shnor, false) as "ШНОР",
    coalesce(i.shnsu, false) as "ШНСУ",
    t.slope as "Наклон в год",
    c.label as "Уровень и изменение"
from schools as s
left join social_index as si on si.school_id = s.school_id and si.year = $year
left join school_year_results as r on r.school_id = s.school_id and r.year = $year
left join school_adjusted as a
    on a.school_id = s.school_id and a.year = $year and a.scope = 'все процедуры'
left join identification as i on i.school_id = s.school_id and i.year = $year
left join trends as t
    on t.school_id = s.school_id and t.as_of = $year and t.indicator = 'result_index'
left join status_change as c
    on c.school_id = s.school_id and c.as_of = $year and c.indicator = 'result_index'
where s.municipality_id = $municipality
order by s.name
