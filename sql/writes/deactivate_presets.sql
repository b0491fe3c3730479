update settings_presets set is_active = false where name <> $name
