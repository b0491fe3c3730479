-- A whole table in the order its rows were stored (the comparisons of tests/oracles).
select * from __TABLE__
