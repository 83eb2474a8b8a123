"""The released IDC annotation formats, parsed in one place for training and evaluation.

One module per format turns its files into ``Annotations``: ``pairs`` under the ids training
uses, ``references`` under the ids the authors' evaluation uses where those differ. Every
problem is a one-line ``FormatError`` naming the file and the entry or line. No torch here.
"""

from diffforge.formats.errors import FormatError
from diffforge.formats.info import FormatInfo
from diffforge.formats.records import SPLITS, Annotations, Entry, normalize_split
from diffforge.formats.registry import DATASET_READERS, FORMATS, detect, read_detected

__all__ = [
    "DATASET_READERS",
    "FORMATS",
    "SPLITS",
    "Annotations",
    "Entry",
    "FormatError",
    "FormatInfo",
    "detect",
    "normalize_split",
    "read_detected",
]
