-- Rows of a region's file replace the rows with the same key (table, columns and keys come
-- from radar/store/spec.py, never from the file). Key columns are not updated.
update __TABLE__ as t set __SET__
from incoming_rows as i
where __MATCH__
