select at, login, table_name, record, field, old_value, new_value
from entry_history
where table_name = :table_name and record like :record
order by id desc
limit :limit
