-- Procedure results as the analytics read them (identification, context-adjusted results),
-- with the shares of marks and of the ЕГЭ thresholds from which the pupils' spread is read, and
-- the spread itself where the file states it.
select
    school_id, year, exam, subject, grade, participants, mean_score, region_mean, z_score,
    share_fail, region_share_fail, share_2, share_3, share_4, share_5, share_below_min, share_81plus,
    stated_pupil_sd
from procedure_results
where $years is null or list_contains($years, year)  -- $years: some years only, or null
order by school_id, year, exam, subject, grade
