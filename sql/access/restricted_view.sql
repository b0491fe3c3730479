-- A table as one person may read it, under the table's own name on her connection only:
-- __VIEW__ the table, __SOURCE__ the stored table (or a session's own frame), __WHERE__ a
-- condition per school or municipality column (empty, or among the visible ones).
create or replace temp view __VIEW__ as
select *
from __SOURCE__
where __WHERE__
