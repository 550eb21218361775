"""Editing real zip files for the tests that attack readers (issue 10: bombs, lying headers)."""

import struct


def patch_declared_size(data: bytes, name: str, size: int) -> bytes:
    """`data` (a zip without zip64 records for `name`) whose local and central headers
    declare `size` unpacked bytes for `name`; the compressed data and CRC are unchanged."""
    data = bytearray(data)
    encoded = name.encode()
    start = 0
    while (at := data.find(b"PK\x01\x02", start)) != -1:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + name_length]) == encoded:
            assert struct.unpack_from("<L", data, at + 24)[0] != 0xFFFFFFFF, "zip64 sizes are not patched here"
            struct.pack_into("<L", data, at + 24, size)
            local = struct.unpack_from("<L", data, at + 42)[0]
            struct.pack_into("<L", data, local + 22, size)
            return bytes(data)
        start = at + 4
    raise AssertionError(f"{name} is not in the zip")
