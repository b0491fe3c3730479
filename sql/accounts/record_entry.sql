insert into entry_history (at, login, table_name, record, field, old_value, new_value)
values (:at, :login, :table_name, :record, :field, :old_value, :new_value)
