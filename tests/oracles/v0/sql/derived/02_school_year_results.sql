-- The rows of school_year_results (declared in sql/schema/derived.sql): a school's overall
-- result in a year, the participant-weighted mean of its standardised results across
-- procedures (the "сводный результат"), overall and per exam.
with procedures as (
    select * from procedure_results where z_score is not null
),

final as (
    select
        school_id,
        year,
        sum(participants * z_score) / sum(participants) as result_index,
        sum(participants) as participants_total,
        count(*) as procedures,
        sum(participants * z_score) filter (where exam = 'ВПР')
            / sum(participants) filter (where exam = 'ВПР') as vpr_index,
        sum(participants * z_score) filter (where exam = 'ОГЭ')
            / sum(participants) filter (where exam = 'ОГЭ') as oge_index,
        sum(participants * z_score) filter (where exam = 'ЕГЭ')
            / sum(participants) filter (where exam = 'ЕГЭ') as ege_index,
        sum(participants * share_fail) filter (where share_fail is not null)
            / sum(participants) filter (where share_fail is not null) as share_fail
    from procedures
    group by school_id, year
)

select * from final
order by school_id, year
