-- Save (or overwrite) a named preset; $active makes it the one the derived tables use.
insert or replace into settings_presets (name, settings_json, is_active, saved_at)
values ($name, $settings_json, $active, now()::timestamp)
