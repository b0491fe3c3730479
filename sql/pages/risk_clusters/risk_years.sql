-- Programme years with risk clusters, newest first.
select distinct year from risk_clusters order by year desc
