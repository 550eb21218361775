"""Read untrusted XML with the standard library, safely, one top-level element at a time.

`defusedxml` is not a dependency of the project, so the protections it would add are made
here on expat directly (the parser under `xml.etree`): a document that declares a DTD
(`<!DOCTYPE`) or an entity (`<!ENTITY`) is refused as soon as the declaration is read, which
rules out entity expansion ("billion laughs") and external entities (XXE; expat never fetches
them without a handler anyway). Moodle XML never has a DTD. The size of the whole input is
bounded by the caller (`max_bytes`), and each top-level element is handed over and dropped
as soon as it closes, so memory stays flat for a long file.
"""

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from xml.parsers import expat

CHUNK = 64 * 1024


class XMLRefused(ValueError):
    """The XML is malformed, declares a DTD or an entity, or is too large; `line` says where."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


def iter_children(handle, *, root: str, max_bytes: int) -> Iterator[tuple[ET.Element, int]]:
    """(child element, its first line) for each element directly under the document's root
    element (which must be `root`), as each closes. Raises XMLRefused (after the children
    before the fault)."""
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    state = {"depth": 0, "root": None, "line": 0}
    done: list[tuple[ET.Element, int]] = []

    def refuse(*_args):
        message = "The XML declares a DTD or an entity, which a question file never has"
        raise XMLRefused(message, parser.CurrentLineNumber)

    def start(tag, attrs):
        element = builder.start(tag, attrs)
        state["depth"] += 1
        if state["depth"] == 1:
            if tag != root:
                raise XMLRefused(f"The root element is <{tag}>, not <{root}>", parser.CurrentLineNumber)
            state["root"] = element
        elif state["depth"] == 2:
            state["line"] = parser.CurrentLineNumber

    def end(tag):
        element = builder.end(tag)
        state["depth"] -= 1
        if state["depth"] == 1:
            done.append((element, state["line"]))

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = lambda *args: refuse()
    parser.buffer_text = True
    read = 0
    while True:
        chunk = handle.read(CHUNK)
        read += len(chunk)
        if read > max_bytes:
            raise XMLRefused(f"The file is larger than {max_bytes:,} bytes", parser.CurrentLineNumber)
        try:
            parser.Parse(chunk, not chunk)
        except expat.ExpatError as exc:
            yield from _drain(done, state)
            raise XMLRefused(f"The XML is not well-formed ({expat.errors.messages[exc.code]})", exc.lineno) from None
        yield from _drain(done, state)
        if not chunk:
            return


def _drain(done, state):
    while done:
        element, line = done.pop(0)
        state["root"].remove(element)  # nothing keeps a finished question alive
        yield element, line
