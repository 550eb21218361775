"""Read zip archives that come from outside without trusting their headers.

A zip member's header says how large it is once unpacked, and a hostile file can lie in
both directions: a 1 MB file can honestly declare a member of 1,000 MiB (a zip bomb), or
declare 100 bytes and inflate to gigabytes. The helpers here are the one place that reads
such archives (spreadsheets, sync packages, photo zips), so the rules are the same for all:

* `open_archive` checks the end record before `zipfile` builds its table of contents: at
  most `max_members` members and a central directory of matching size (each member costs
  `zipfile` a few hundred bytes of memory).
* `check_declared` checks one member's declared size, compression method and ratio
  against limits before any of it is read.
* `member_chunks` / `read_member` read a member with a counter and stop one byte past the
  declared size, so a lying header is caught after at most that many bytes, and check its
  CRC. Every decompression step is bounded: `zipfile` inflates a whole compressed chunk of
  LZMA in one call (4 KiB of it can hold ~28 MB), so LZMA members are decoded here.

Every refusal is an `ArchiveRefused` whose message says what and which limit; callers turn
it into their own error (the import's 400, the package refusal, the photo rejection).
"""

import copy
import lzma
import struct
import zipfile
import zlib
from collections.abc import Iterator

CHUNK = 1024 * 1024
# Compressed bytes per read of an LZMA member (its output is bounded separately).
SMALL_STEP = 4096
# Members smaller than this are never refused for their compression ratio (tiny parts
# of a workbook or package compress extremely well and cost nothing).
RATIO_FLOOR_BYTES = 1024 * 1024
# A central directory entry is 46 bytes plus the name, extra field and comment; legitimate
# archives stay far below this average, and `zipfile` reads the whole directory at once.
DIRECTORY_BYTES_PER_MEMBER = 300

METHOD_NAMES = {
    zipfile.ZIP_STORED: "stored",
    zipfile.ZIP_DEFLATED: "deflate",
    zipfile.ZIP_BZIP2: "bzip2",
    zipfile.ZIP_LZMA: "LZMA",
}
# What reading a damaged member can raise (bad CRC, broken streams, "encrypted", ...).
READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    OSError,
    EOFError,
    RuntimeError,
    NotImplementedError,
    ValueError,
    struct.error,
)


class ArchiveRefused(ValueError):
    """The archive (or one member) breaks a limit or is damaged; the message says which.

    `code` is "limit" for a limit and "damaged" for a broken or lying archive."""

    def __init__(self, message: str, *, code: str = "limit"):
        super().__init__(message)
        self.message = message
        self.code = code


def _directory_end(handle) -> tuple[int, int] | None:
    """(members, central directory bytes) as `zipfile` will read them, or None.

    Uses zipfile's own end-record reader so the figures checked here are exactly the ones
    `zipfile.ZipFile` then trusts (a hand-written parser could be told something else)."""
    endrec = zipfile._EndRecData(handle)  # private, see the docstring
    handle.seek(0)
    if not endrec:
        return None
    return endrec[zipfile._ECD_ENTRIES_TOTAL], endrec[zipfile._ECD_SIZE]


def check_directory(handle, *, max_members: int, what: str, setting: str | None = None) -> None:
    """Refuse, from the end record alone, an archive announcing more than `max_members`
    members (or a central directory too large for that many): `zipfile` would otherwise
    read the whole directory and build an object per member first."""
    end = _directory_end(handle)
    if end is None:
        return  # not a zip: zipfile says so in its own words
    members, directory_bytes = end
    if members > max_members or directory_bytes > max_members * DIRECTORY_BYTES_PER_MEMBER:
        where = f" ({setting})" if setting else ""
        announced = max(members, directory_bytes // DIRECTORY_BYTES_PER_MEMBER)
        raise ArchiveRefused(f"{what} holds {announced:,} files or more; the limit is {max_members:,}{where}.")


def open_archive(handle, *, max_members: int, what: str, setting: str | None = None) -> zipfile.ZipFile:
    """A `zipfile.ZipFile` on the seekable binary `handle` after `check_directory`, and
    refused if it really holds more than `max_members` members.

    `what` names the archive in messages ("The workbook x.xlsx"), `setting` the limit.
    Raises ArchiveRefused; `zipfile.BadZipFile` for a file that is no zip at all."""
    check_directory(handle, max_members=max_members, what=what, setting=setting)
    archive = zipfile.ZipFile(handle)
    if len(archive.filelist) > max_members:
        archive.close()
        where = f" ({setting})" if setting else ""
        raise ArchiveRefused(f"{what} holds {len(archive.filelist):,} files; the limit is {max_members:,}{where}.")
    return archive


def check_declared(
    info: zipfile.ZipInfo,
    *,
    what: str,
    max_bytes: int,
    bytes_setting: str,
    max_ratio: int,
    ratio_setting: str,
    methods: frozenset[int],
) -> None:
    """Refuse a member by what its header declares: its method, its unpacked size, and its
    compression ratio (members under RATIO_FLOOR_BYTES are exempt from the ratio)."""
    name = info.filename
    if info.flag_bits & 0x1:
        raise ArchiveRefused(
            f"{what}: {name} is marked as encrypted (the file is damaged, altered or password-protected).",
            code="damaged",
        )
    if info.compress_type not in methods:
        method = METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
        allowed = ", ".join(METHOD_NAMES[m] for m in sorted(methods))
        raise ArchiveRefused(
            f"{what}: {name} is compressed with {method}, which is not accepted here (only {allowed}): the file is "
            "damaged or was altered.",
            code="damaged",
        )
    if info.file_size > max_bytes:
        raise ArchiveRefused(
            f"{what}: {name} unpacks to {info.file_size:,} bytes; the limit is {max_bytes:,} bytes ({bytes_setting})."
        )
    if info.file_size > RATIO_FLOOR_BYTES:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > max_ratio:
            raise ArchiveRefused(
                f"{what}: {name} is compressed {ratio:,.0f} to 1 ({info.compress_size:,} bytes unpacking to "
                f"{info.file_size:,}); the limit is {max_ratio:,} to 1 ({ratio_setting})."
            )


def member_chunks(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, what: str, limit: int | None = None, chunk: int = CHUNK
) -> Iterator[bytes]:
    """The unpacked bytes of one member, in chunks of at most `chunk` bytes, never more than
    its declared size.

    An honest member ends exactly at its declared size with its declared CRC. A lying one is
    refused ("damaged") as soon as one byte more appears, without that chunk being handed
    out; a member declaring more than `limit` is refused before anything is read. Every
    decompression step is bounded: stored and deflated data by zipfile itself, LZMA here.
    Other damage, and any other compression method, raises ArchiveRefused too.
    """
    declared = info.file_size
    if limit is not None and declared > limit:
        raise ArchiveRefused(f"{what}: {info.filename} unpacks to {declared:,} bytes; the limit is {limit:,} bytes.")
    if info.compress_type == zipfile.ZIP_LZMA:
        pieces = _lzma_pieces(archive, info, chunk)
    elif info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        pieces = _zipfile_pieces(archive, info, chunk)
    else:
        method = METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
        raise ArchiveRefused(f"{what}: {info.filename} is compressed with {method}, which is not read.", code="damaged")
    total = 0
    crc = 0
    try:
        for data in pieces:
            total += len(data)
            if total > declared:
                raise ArchiveRefused(
                    f"{what}: {info.filename} unpacks to more than the {declared:,} bytes its header declares "
                    "(the file is damaged or was made to attack the reader).",
                    code="damaged",
                )
            crc = zlib.crc32(data, crc)
            yield data
    except ArchiveRefused:
        raise
    except READ_ERRORS as exc:
        raise ArchiveRefused(f"{what}: {info.filename} is damaged ({exc}).", code="damaged") from exc
    finally:
        pieces.close()
    if total != declared or crc != info.CRC:
        raise ArchiveRefused(
            f"{what}: {info.filename} is damaged (it unpacks to {total:,} bytes with another checksum than its "
            "header declares).",
            code="damaged",
        )


def _zipfile_pieces(archive: zipfile.ZipFile, info: zipfile.ZipInfo, chunk: int) -> Iterator[bytes]:
    # A copy that lets zipfile read past the declared size (it otherwise cuts the data off
    # there silently, and only a CRC error would follow) and leaves the CRC to the caller,
    # so that a lying header is named as such. zipfile inflates deflate data at most
    # `chunk` bytes at a time.
    probe = copy.copy(info)
    probe.file_size = info.file_size + 1
    del probe.CRC
    with archive.open(probe) as source:
        while data := source.read(chunk):
            yield data


# liblzma allocates the dictionary the stream asks for; zipfile's writer asks for 8 MiB.
MAX_LZMA_DICTIONARY = 16 * 1024 * 1024


def _lzma_pieces(archive: zipfile.ZipFile, info: zipfile.ZipInfo, chunk: int) -> Iterator[bytes]:
    # zipfile hands every compressed chunk it reads to the LZMA decoder in one call, and a
    # few kilobytes of LZMA can unpack to gigabytes. Read the member's raw bytes instead
    # (the same member seen as stored) and decode them here, `chunk` bytes per call.
    raw = copy.copy(info)
    raw.compress_type = zipfile.ZIP_STORED
    raw.file_size = info.compress_size
    del raw.CRC
    with archive.open(raw) as source:
        header = source.read(4)
        if len(header) < 4:
            raise EOFError("the LZMA header is cut short")
        _version, _minor, size = struct.unpack("<BBH", header)
        properties = source.read(size)
        if size != 5 or len(properties) != 5 or properties[0] >= 9 * 5 * 5:
            raise ValueError("the LZMA properties are not valid")
        lc, rest = properties[0] % 9, properties[0] // 9
        lp, pb = rest % 5, rest // 5
        dictionary = int.from_bytes(properties[1:5], "little")
        if dictionary > MAX_LZMA_DICTIONARY:
            raise ValueError(f"the LZMA dictionary of {dictionary:,} bytes is larger than any writer uses")
        decoder = lzma.LZMADecompressor(
            lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA1, "dict_size": dictionary, "lc": lc, "lp": lp, "pb": pb}]
        )
        while not decoder.eof:
            if decoder.needs_input:
                compressed = source.read(SMALL_STEP * 16)
                if not compressed:
                    return
            else:
                compressed = b""
            data = decoder.decompress(compressed, max_length=chunk)
            if data:
                yield data


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, what: str, limit: int) -> bytes:
    """The whole member as bytes, refused past `limit` or its declared size (see member_chunks)."""
    return b"".join(member_chunks(archive, info, what=what, limit=limit))


def drain_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, what: str) -> int:
    """Unpack a member only to count it (refused past its declared size); returns its size."""
    return sum(len(data) for data in member_chunks(archive, info, what=what))
