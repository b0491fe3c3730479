select k, silhouette, chosen, ari_ward from risk_cluster_quality where year = $year order by k
