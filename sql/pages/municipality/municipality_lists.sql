-- The municipality's schools on the ШНОР or ШНСУ list this year or last, with the change.
with mine as (
    select school_id, name from schools where municipality_id = $municipality
),

now as (select school_id, shnor, shnsu from identification where year = $year),

before as (select school_id, shnor, shnsu from identification where year = $year - 1)

select
    m.name as "Школа",
    coalesce(n.shnor, false) as "ШНОР",
    b.shnor as "ШНОР в прошлом году",
    case
        when coalesce(n.shnor, false) and b.shnor is null then 'ШНОР: нет данных за прошлый год'
        when coalesce(n.shnor, false) and not b.shnor then 'вошла в ШНОР'
        when not coalesce(n.shnor, false) and b.shnor then 'вышла из ШНОР'
        when coalesce(n.shnor, false) then 'остаётся в ШНОР'
        else ''
    end as "ШНОР: изменение",
    coalesce(n.shnsu, false) as "ШНСУ",
    b.shnsu as "ШНСУ в прошлом году",
    case
        when coalesce(n.shnsu, false) and b.shnsu is null then 'ШНСУ: нет данных за прошлый год'
        when coalesce(n.shnsu, false) and not b.shnsu then 'вошла в ШНСУ'
        when not coalesce(n.shnsu, false) and b.shnsu then 'вышла из ШНСУ'
        when coalesce(n.shnsu, false) then 'остаётся в ШНСУ'
        else ''
    end as "ШНСУ: изменение"
from mine as m
left join now as n using (school_id)
left join before as b using (school_id)
where coalesce(n.shnor, false) or coalesce(n.shnsu, false)
    or coalesce(b.shnor, false) or coalesce(b.shnsu, false)
order by "ШНОР" desc, "ШНСУ" desc, "Школа"
