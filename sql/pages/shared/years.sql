-- Years with any exam result, newest first (the shared year filter).
select distinct year from exam_results order by year desc
