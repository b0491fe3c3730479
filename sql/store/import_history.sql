select imported_at, user_name, file_name, file_hash, table_name, rows_in_file, added, changed,
    unchanged, outcome
from import_history
order by imported_at desc, file_name, table_name
