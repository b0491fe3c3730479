-- What a printed hand-out names in its footer: the region, and where its data came from (the
-- demo generator, or the last file loaded and when).
select
    (select any_value(value) from region_info where key = 'region') as region,
    (select any_value(value) from region_info where key = 'generator_version') as generator,
    (select max(imported_at) from import_history where outcome like 'загружено%') as loaded_at,
    (
        select arg_max(file_name, imported_at) from import_history
        where outcome like 'загружено%'
    ) as loaded_file
