-- ВПР primary-score distributions of the schools with the participants of the procedure and
-- its mark boundaries: those of the year, or of the nearest earlier year (none: null).
with procedures as (
    select distinct year, exam, subject, grade
    from score_distributions
    where exam = 'ВПР'
),

boundaries as (
    select p.year, p.exam, p.subject, p.grade, b.max_score, b.min_3, b.min_4, b.min_5
    from procedures as p
    asof left join mark_boundaries as b
        on p.exam = b.exam and p.subject = b.subject and p.grade = b.grade and p.year >= b.year
)

select
    d.school_id,
    d.year,
    d.exam,
    d.subject,
    d.grade,
    d.score,
    d.share,
    r.participants,
    b.max_score,
    b.min_3,
    b.min_4,
    b.min_5
from score_distributions as d
join exam_results as r using (school_id, year, exam, subject, grade)
join boundaries as b using (year, exam, subject, grade)
where d.exam = 'ВПР' and d.score <= coalesce(b.max_score, d.score)
order by d.school_id, d.year, d.subject, d.grade, d.score
