insert into import_history
values (now()::timestamp, $user_name, $file_name, $file_hash, $table_name, $rows_in_file,
        $added, $changed, $unchanged, $outcome)
