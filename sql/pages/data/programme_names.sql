-- Names for the programme lists' editor: schools and curators.
select 'school' as kind, school_id as code, name from schools
union all
select 'curator', curator_id, full_name from curators
