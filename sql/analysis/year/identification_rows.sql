-- The procedure rows the identification rules read for a year and the one before: shares of
-- «2» at the threshold (or at its multiple of the region's share), ВПР of the gap grade and
-- ЕГЭ in the gap subjects.
select
    school_id, year, exam, subject, grade, participants, mean_score, region_mean, z_score,
    share_fail, region_share_fail
from procedure_results
where year between $from_year and $to_year
    and participants >= $min_participants
    and (
        share_fail >= $fail_share
        or share_fail >= $fail_ratio * region_share_fail  -- the rule's relative form
        or (exam = 'ВПР' and grade = $vpr_grade)
        or (
            exam = 'ЕГЭ'
            and len(list_filter($ege_subjects, lambda s: starts_with(subject, s))) > 0
        )
    )
order by school_id, year, exam, subject, grade
