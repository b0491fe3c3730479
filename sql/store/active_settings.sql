select settings_json from settings_presets where is_active order by saved_at desc limit 1
