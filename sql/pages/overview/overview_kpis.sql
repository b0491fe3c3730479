-- Key figures of the region (or one municipality) in a year, with last year's counts. ШНОР and
-- ШНСУ are those identified by the active criteria; the approved lists are given beside them.
with scope as (
    select s.school_id, s.is_small, coalesce(p.pupils, s.pupils) as pupils
    from schools as s
    left join social_passport as p on p.school_id = s.school_id and p.year = $year
    where $municipality is null or s.municipality_id = $municipality
),

members as (
    select m.year, m.programme, count(distinct m.school_id) as schools
    from programme_membership as m
    join scope using (school_id)
    where m.year in ($year, $year - 1)
    group by all
),

identified as (
    select i.year, count(*) filter (where i.shnor) as shnor, count(*) filter (where i.shnsu) as shnsu
    from identification as i
    join scope using (school_id)
    where i.year in ($year, $year - 1)
    group by i.year
),

oge as (
    select
        sum(r.participants * r.share_2) / sum(r.participants) as share_2,
        sum(r.participants * r.mean_mark) / sum(r.participants) as mean_mark
    from procedure_results as r
    join scope using (school_id)
    where r.year = $year and r.exam = 'ОГЭ' and r.subject = 'Математика'
),

ege as (
    select sum(r.participants * r.mean_score) / sum(r.participants) as mean_score
    from procedure_results as r
    join scope using (school_id)
    where r.year = $year and r.exam = 'ЕГЭ' and r.subject = 'Русский язык'
),

final as (
    select
        (select count(*) from scope) as schools,
        (select cast(sum(pupils) as bigint) from scope) as pupils,
        (select count(*) filter (where is_small) from scope) as small_schools,
        (select coalesce(sum(shnor), 0) from identified where year = $year) as shnor,
        (select sum(shnor) from identified where year = $year - 1) as shnor_prev,
        (select coalesce(sum(shnsu), 0) from identified where year = $year) as shnsu,
        (select sum(shnsu) from identified where year = $year - 1) as shnsu_prev,
        (select sum(schools) from members where year = $year and programme = 'ШНОР') as shnor_official,
        (select sum(schools) from members where year = $year and programme = 'ШНСУ') as shnsu_official,
        (select coalesce(sum(schools), 0) from members where year = $year and programme = '500+') as p500,
        (select sum(schools) from members where year = $year - 1 and programme = '500+') as p500_prev,
        (select share_2 from oge) as oge_math_share_2,
        (select mean_mark from oge) as oge_math_mean_mark,
        (select mean_score from ege) as ege_rus_mean
)

select * from final
