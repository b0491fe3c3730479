-- ВПР marks against term marks, pooled over subjects and grades per school-year.
select
    school_id,
    year,
    sum(participants) as participants,
    sum(participants * share_exam_above_term) / sum(participants) as share_exam_above_term
from term_marks
where exam = 'ВПР' and share_exam_above_term is not null and participants > 0
group by school_id, year
order by school_id, year
