select name, settings_json, is_active, saved_at from settings_presets order by name
