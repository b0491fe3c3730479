-- What the database holds, for one phrase: its schools and, for the demo, the region's name.
select
    (select count(*) from schools) as schools,
    (select any_value(value) from region_info where key = 'generator_version') as generator,
    (select any_value(value) from region_info where key = 'region') as region
