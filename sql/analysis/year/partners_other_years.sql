-- The stored partner suggestions of every year but the given one and the one before.
select * from partner_suggestions where year not in ($year, $year - 1)
