-- One row per municipality for a year: size, context, results, ШНОР and ШНСУ by the active
-- criteria, and the approved programme lists.
-- $municipality narrows it to one municipality (null: all).
with passport as (
    select s.municipality_id, s.school_id, s.is_small, coalesce(p.pupils, s.pupils) as pupils
    from schools as s
    left join social_passport as p on p.school_id = s.school_id and p.year = $year
),

context as (
    select ps.municipality_id,
        sum(ps.pupils * si.isbsh) / sum(ps.pupils) filter (where si.isbsh is not null) as isbsh
    from passport as ps
    join social_index as si on si.school_id = ps.school_id and si.year = $year
    group by all
),

results as (
    select ps.municipality_id,
        sum(r.participants_total * r.result_index) / sum(r.participants_total) as result_index,
        sum(r.participants_total * r.share_fail) / sum(r.participants_total)
            filter (where r.share_fail is not null) as share_fail
    from passport as ps
    join school_year_results as r on r.school_id = ps.school_id and r.year = $year
    group by all
),

-- ШНОР and ШНСУ as identified by the active criteria (as on «Идентификация» and
-- «Муниципалитет»); «500+» and the approved lists from the region's programme lists.
official as (
    select school_id,
        bool_or(programme = 'ШНОР') as shnor_official,
        bool_or(programme = 'ШНСУ') as shnsu_official,
        bool_or(programme = '500+') as p500
    from programme_membership
    where year = $year
    group by school_id
),

status as (
    select
        coalesce(i.school_id, o.school_id) as school_id,
        coalesce(i.shnor, false) as shnor,
        coalesce(i.shnsu, false) as shnsu,
        coalesce(o.p500, false) as p500,
        coalesce(o.shnor_official, false) as shnor_official,
        coalesce(o.shnsu_official, false) as shnsu_official
    from (select school_id, shnor, shnsu from identification where year = $year) as i
    full join official as o using (school_id)
),

programmes as (
    select s.municipality_id,
        count(*) filter (where st.shnor) as shnor,
        count(*) filter (where st.shnsu) as shnsu,
        count(*) filter (where st.p500) as p500,
        count(*) filter (where st.shnor_official) as shnor_official,
        count(*) filter (where st.shnsu_official) as shnsu_official,
        count(*) filter (where st.shnor and st.shnsu) as shnor_shnsu,
        count(*) filter (where st.shnor and not st.shnsu) as shnor_only,
        count(*) filter (where st.shnsu and not st.shnor) as shnsu_only
    from status as st
    join schools as s using (school_id)
    group by all
),

sizes as (
    select municipality_id, count(*) as schools, cast(sum(pupils) as bigint) as pupils,
        count(*) filter (where is_small) as small_schools
    from passport
    group by all
),

final as (
    select
        mu.municipality_id, mu.name, mu.kind,
        sz.schools, sz.pupils, sz.small_schools,
        c.isbsh, r.result_index, r.share_fail,
        coalesce(p.shnor, 0) as shnor,
        coalesce(p.shnsu, 0) as shnsu,
        coalesce(p.p500, 0) as p500,
        coalesce(p.shnor_official, 0) as shnor_official,
        coalesce(p.shnsu_official, 0) as shnsu_official,
        coalesce(p.shnor_shnsu, 0) as shnor_shnsu,
        coalesce(p.shnor_only, 0) as shnor_only,
        coalesce(p.shnsu_only, 0) as shnsu_only,
        sz.schools - coalesce(p.shnor_shnsu, 0) - coalesce(p.shnor_only, 0)
            - coalesce(p.shnsu_only, 0) as other
    from municipalities as mu
    join sizes as sz using (municipality_id)
    left join context as c using (municipality_id)
    left join results as r using (municipality_id)
    left join programmes as p using (municipality_id)
    where $municipality is null or mu.municipality_id = $municipality
)

select * from final
order by kind = 'столица' desc, name
