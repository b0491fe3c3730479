-- The procedures (exam, subject, grade) a school took part in, most frequent first.
select exam, subject, grade, count(*) as years, sum(participants) as participants
from procedure_results
where school_id = $school_id
group by exam, subject, grade
order by exam = 'ВПР', exam, subject = 'Русский язык' desc, subject = 'Математика' desc, subject, grade
