"""The dataset directory: the contract between generation and training.

Every package reads and writes datasets only through here: the layout (``layout``), typed records
(``records``), the reader, the crash-safe writer with finalize and merge, and the validator.
"""

from diffforge.dataset.layout import (
    FORMAT,
    META,
    PAIRS,
    SPLITS,
    dataset_root,
    is_dataset,
    pair_paths,
    shard_dir,
)
from diffforge.dataset.merge import merge
from diffforge.dataset.reader import (
    DatasetError,
    iter_pairs,
    read_meta,
    read_pairs,
    read_scene,
    require_dataset,
)
from diffforge.dataset.records import (
    Caption,
    ChangeRecord,
    DatasetMeta,
    Failure,
    Masks,
    PairRecord,
)
from diffforge.dataset.writer import (
    DatasetWriter,
    finalize,
    rewrite_pairs,
    summarize,
    write_pairs,
)

__all__ = [
    "FORMAT",
    "META",
    "PAIRS",
    "SPLITS",
    "Caption",
    "ChangeRecord",
    "DatasetError",
    "DatasetMeta",
    "DatasetWriter",
    "Failure",
    "Masks",
    "PairRecord",
    "dataset_root",
    "finalize",
    "is_dataset",
    "iter_pairs",
    "merge",
    "pair_paths",
    "read_meta",
    "read_pairs",
    "read_scene",
    "require_dataset",
    "rewrite_pairs",
    "shard_dir",
    "summarize",
    "write_pairs",
]
