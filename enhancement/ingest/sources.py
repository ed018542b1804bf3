"""Where files come from: a folder, a zip file, or an S3 prefix. Yields (name, bytes) safely.

Archive-level problems (a path that climbs out, a zip bomb, too many files) refuse the whole
source before anything is ingested; a problem with one file is that file's alone.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".opus", ".mp3", ".aiff", ".aif"}
SIDECAR = "metadata.csv"


class SourceRejected(ValueError):
    """The whole source is refused; nothing from it is ingested."""


@dataclass(frozen=True)
class SourceLimits:
    max_file_bytes: int = 200 * 2**20
    max_total_bytes: int = 4 * 2**30
    max_files: int = 20000
    max_ratio: float = 200.0  # compressed-to-uncompressed, per zip member


@dataclass(frozen=True)
class Item:
    name: str  # relative, POSIX separators
    data: bytes | None  # None when the item is refused before reading
    problem: str = ""


def _wanted(name: str) -> bool:
    suffix = PurePosixPath(name).suffix.lower()
    return suffix in AUDIO_SUFFIXES or PurePosixPath(name).name == SIDECAR


def _safe_member(name: str) -> str:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise SourceRejected(f"the zip holds a path that leaves the archive: {name!r}")
    return str(path)


def _zip_name(info: zipfile.ZipInfo) -> str | None:
    """The member's name, or None when its bytes are not UTF-8 (zipfile read them as cp437)."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _zip_items(path: Path, limits: SourceLimits) -> Iterator[Item]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceRejected(f"{path.name} is not a readable zip file ({exc})") from None
    with archive:
        members = [i for i in archive.infolist() if not i.is_dir()]
        _zip_vet(members, limits)
        for info in members:
            name = _zip_name(info)
            if name is None:
                shown = info.filename.encode("cp437")
                yield Item(repr(shown)[2:-1], None, "the file name is not valid UTF-8")
                continue
            if not _wanted(name):
                continue
            if info.file_size > limits.max_file_bytes:
                yield Item(name, None, _too_big(info.file_size, limits))
                continue
            with archive.open(info) as handle:
                data = handle.read(limits.max_file_bytes + 1)
            yield Item(name, data)


def _zip_vet(members: list[zipfile.ZipInfo], limits: SourceLimits) -> None:
    if not members:
        raise SourceRejected("the zip file is empty")
    if len(members) > limits.max_files:
        raise SourceRejected(f"the zip holds {len(members)} files; the limit is {limits.max_files}")
    total = 0
    for info in members:
        _safe_member(info.filename)
        total += info.file_size
        ratio = info.file_size / max(1, info.compress_size)
        if ratio > limits.max_ratio:
            raise SourceRejected(
                f"{info.filename} expands {ratio:.0f}-fold (limit {limits.max_ratio:.0f}): "
                "refused as a possible zip bomb"
            )
    if total > limits.max_total_bytes:
        raise SourceRejected(
            f"the zip expands to {total} bytes; the limit is {limits.max_total_bytes}"
        )


def _too_big(size: int, limits: SourceLimits) -> str:
    return f"the file is {size} bytes; the limit is {limits.max_file_bytes}"


def _folder_items(root: Path, limits: SourceLimits) -> Iterator[Item]:
    paths = sorted(p for p in root.rglob("*") if p.is_file())
    if len(paths) > limits.max_files:
        raise SourceRejected(
            f"the folder holds {len(paths)} files; the limit is {limits.max_files}"
        )
    for path in paths:
        raw = os.fsencode(path.relative_to(root))
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield Item(repr(raw)[2:-1], None, "the file name is not valid UTF-8")
            continue
        if not _wanted(name):
            continue
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            yield Item(name, None, _too_big(size, limits))
            continue
        yield Item(name, path.read_bytes())


def _s3_items(uri: str, limits: SourceLimits) -> Iterator[Item]:
    from enhancement.ingest.s3 import s3_objects

    yield from s3_objects(uri, limits, wanted=_wanted, too_big=_too_big)


def source_items(source: str, limits: SourceLimits = SourceLimits()) -> Iterator[Item]:
    """Every audio file (and a metadata.csv sidecar) in source, in a stable order."""
    if source.startswith("s3://"):
        return _s3_items(source, limits)
    path = Path(source)
    if path.is_dir():
        return _folder_items(path, limits)
    if path.is_file() and zipfile.is_zipfile(path):
        return _zip_items(path, limits)
    if path.is_file():
        raise SourceRejected(f"{source} is neither a folder nor a zip file")
    raise SourceRejected(f"{source} does not exist")
