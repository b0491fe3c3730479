-- Cohort value added of the region (or one municipality) per link, for the later year $year:
-- how many schools did better, as expected or worse than the region's line predicts from the
-- earlier result, and how steep that line is (mean over the link's subjects).
with schools_of_scope as (
    select c.*
    from cohort_value_added as c
    join schools as s using (school_id)
    where c.year = $year and ($municipality is null or s.municipality_id = $municipality)
),

lines as (
    select link, avg(slope) as cohort_slope, avg(reliability) as cohort_reliability
    from cohort_fits
    where year = $year
    group by link
)

select
    c.link,
    min(c.earlier_year) as earlier_year,
    $year as later_year,
    count(*) filter (where c.residual is not null) as schools,
    count(*) filter (where c.band = 'выше ожидаемого') as above,
    count(*) filter (where c.band = 'в пределах ожидаемого') as within,
    count(*) filter (where c.band = 'ниже ожидаемого') as below,
    count(*) filter (where c.residual is null) as too_few,
    any_value(l.cohort_slope) as cohort_slope,
    any_value(l.cohort_reliability) as cohort_reliability,
    min(case c.earlier_exam when 'ВПР' then 1 when 'ОГЭ' then 2 else 3 end) as exam_order,
    min(c.earlier_grade) as grade_order
from schools_of_scope as c
left join lines as l using (link)
group by c.link
order by exam_order, grade_order
