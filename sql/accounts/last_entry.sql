-- Who last changed a field of a record in the app, and when.
select login, at, new_value
from entry_history
where table_name = :table_name and record = :record and field = :field
order by id desc
limit 1
