"""What the files of a repository suggest it is when no metadata says: weights, data, or code."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from ..record import RANK_INFERRED

if TYPE_CHECKING:
    from ..checkout import RepoFiles
    from ..record import HarvestedRecord

WEIGHT_EXTENSIONS = {
    ".safetensors",
    ".gguf",
    ".ggml",
    ".onnx",
    ".pt",
    ".pth",
    ".ckpt",
    ".h5",
    ".keras",
    ".tflite",
    ".mlmodel",
    ".pdparams",
    ".msgpack",
}
DATA_EXTENSIONS = {
    ".csv",
    ".tsv",
    ".jsonl",
    ".ndjson",
    ".parquet",
    ".arrow",
    ".conll",
    ".conllu",
    ".xlsx",
    ".wav",
    ".flac",
    ".mp3",
    ".tfrecord",
    ".feather",
    ".avro",
}
CODE_EXTENSIONS = {
    ".py",
    ".js",
    ".mjs",
    ".ts",
    ".java",
    ".kt",
    ".go",
    ".rs",
    ".c",
    ".cc",
    ".cpp",
    ".h",
    ".cs",
    ".rb",
    ".php",
    ".swift",
    ".scala",
    ".jl",
    ".r",
    ".m",
    ".ipynb",
    ".sh",
    ".lua",
    ".dart",
}


def kind_from_files(paths: list[str]) -> tuple[str | None, str | None]:
    """Return the kind the files suggest and an example file that says so, or (None, None)."""
    weights = [p for p in paths if posixpath.splitext(p)[1].lower() in WEIGHT_EXTENSIONS]
    if weights:
        return "model", weights[0]
    code = [p for p in paths if posixpath.splitext(p)[1].lower() in CODE_EXTENSIONS]
    data = [p for p in paths if posixpath.splitext(p)[1].lower() in DATA_EXTENSIONS]
    if data and not code:
        # Data files and no code: a dataset published as files. A tool that ships sample
        # data next to its code is still a tool.
        return "dataset", data[0]
    return None, None


def read_file_evidence(checkout: RepoFiles, record: HarvestedRecord) -> None:
    """Offer a kind inferred from the kinds of files in the repository."""
    kind, example = kind_from_files(checkout.list_files(max_depth=3))
    if kind and example:
        record.offer("kind", kind, origin=example, rank=RANK_INFERRED, inferred=True)
