-- Rows the user removed (an editor on «Данные»): those whose key is among the removed keys
-- (table and keys come from radar/store/spec.py, never from the user).
delete from __TABLE__ as t
where exists (select 1 from removed_keys as i where __MATCH__)
