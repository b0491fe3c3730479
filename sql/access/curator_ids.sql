select curator_id from curators order by 1
