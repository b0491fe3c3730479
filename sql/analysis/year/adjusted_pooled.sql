-- Each school's context-adjusted result pooled over the years window and the chosen exams
-- (as analytics.context.pooled_over_years; lower, upper and band are added in Python).
select
    school_id,
    sum(participants)::bigint as participants,
    count(*)::bigint as procedures,
    sum(participants * residual) / sum(participants) as residual,
    sqrt(sum(participants * participants * se * se)) / sum(participants) as se
from context_adjusted
where year between $year - $window + 1 and $year
    and list_contains($exams, exam)
    and participants >= $min_participants
    and residual is not null
    and se is not null
group by school_id
order by school_id
