"""Co-clustering of the word × unit response graph: spectral embedding (Dhillon 2001) of
|response|, k-means, pairing, crossing-reducing order and signed edge weights; and a generator of
planted co-clusters to test it against; the alignment of two clusterings' word clusters, for
comparisons."""

from .alignment import ClusterAlignment, align_clusters
from .cocluster import DEFAULT_MAX_CLUSTERS, CoClustering, SpectralEmbedding, cocluster, cocluster_range
from .planted import PlantedCoclusters, planted_coclusters

__all__ = [
    "DEFAULT_MAX_CLUSTERS",
    "ClusterAlignment",
    "CoClustering",
    "PlantedCoclusters",
    "SpectralEmbedding",
    "align_clusters",
    "cocluster",
    "cocluster_range",
    "planted_coclusters",
]
