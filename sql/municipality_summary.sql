-- One row per municipality for a year: size, context, results and programme counts.
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

status as (
    select school_id,
        bool_or(programme = 'ШНОР') as shnor,
        bool_or(programme = 'ШНСУ') as shnsu,
        bool_or(programme = '500+') as p500
    from programme_membership
    where year = $year
    group by school_id
),

programmes as (
    select s.municipality_id,
        count(*) filter (where st.shnor) as shnor,
        count(*) filter (where st.shnsu) as shnsu,
        count(*) filter (where st.p500) as p500,
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
