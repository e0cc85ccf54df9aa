#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into Fuzz/corpus/<target>/ (run from anywhere; needs pydicom).

The seeds are well-formed inputs in each target's input format (see the comment at the top of each
Fuzz/<Target>/main.swift): PDUs as in PS3.8 §9.3 (the same layouts as the hex fixtures of
Tests/DICOMNetworkTests/PDU), DIMSE command sets as in PS3.7 §9.3, and small DICOM files and bare data sets
in every transfer syntax dicomlua reads, deflated included. Deterministic: running it again rewrites the
same files. Keep the corpus small (it is committed): < 1 MB in all.
"""
import os, struct

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import (ImplicitVRLittleEndian, ExplicitVRLittleEndian, ExplicitVRBigEndian,
                         DeflatedExplicitVRLittleEndian, JPEGBaseline8Bit)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    folder = os.path.join(ROOT, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "seed-" + name), "wb") as f:
        f.write(bytes(data))


# ---------------------------------------------------------------- PDUs (PS3.8 §9.3)

def be16(v): return struct.pack(">H", v)
def be32(v): return struct.pack(">I", v)
def item(t, body): return bytes([t, 0]) + be16(len(body)) + body
def pdu(t, body): return bytes([t, 0]) + be32(len(body)) + body
def ae(s): return s.encode().ljust(16, b" ")

APP_CONTEXT = item(0x10, b"1.2.840.10008.3.1.1.1")
VERIFICATION = b"1.2.840.10008.1.1"
CT_STORAGE = b"1.2.840.10008.5.1.4.1.1.2"
FIND_STUDY = b"1.2.840.10008.5.1.4.1.2.2.1"
IMPLICIT = b"1.2.840.10008.1.2"
EXPLICIT = b"1.2.840.10008.1.2.1"


def user_information(full):
    body = item(0x51, be32(16384)) + item(0x52, b"1.2.826.0.1.3680043.9.1") + item(0x55, b"DICOMLUA_0.1")
    if full:
        body += item(0x53, be16(4) + be16(1))                                     # async operations window
        body += item(0x54, be16(len(CT_STORAGE)) + CT_STORAGE + b"\x01\x01")      # SCP/SCU role selection
        body += item(0x56, be16(len(FIND_STUDY)) + FIND_STUDY + b"\x01\x00\x01")  # extended negotiation
        body += item(0x58, b"\x02\x01" + be16(4) + b"user" + be16(4) + b"pass")  # user identity
    return item(0x50, body)


def associate_rq(full=True):
    contexts = b""
    for cid, abstract in ((1, VERIFICATION), (3, CT_STORAGE), (5, FIND_STUDY)):
        contexts += item(0x20, bytes([cid, 0, 0, 0]) + item(0x30, abstract)
                         + item(0x40, EXPLICIT) + item(0x40, IMPLICIT))
    fixed = be16(1) + b"\0\0" + ae("STORESCP") + ae("DICOMLUA") + bytes(32)
    return pdu(0x01, fixed + APP_CONTEXT + contexts + user_information(full))


def associate_ac():
    results = item(0x21, bytes([1, 0, 0, 0]) + item(0x40, IMPLICIT))
    results += item(0x21, bytes([3, 0, 3, 0]) + item(0x40, EXPLICIT))
    fixed = be16(1) + b"\0\0" + ae("STORESCP") + ae("DICOMLUA") + bytes(32)
    return pdu(0x02, fixed + APP_CONTEXT + results + user_information(False))


def pdv(cid, header, data): return be32(len(data) + 2) + bytes([cid, header]) + data
def p_data(*pdvs): return pdu(0x04, b"".join(pdvs))


# ---------------------------------------------------------------- DIMSE command sets (PS3.7 §9.3, E.1)

def el(element, value):
    if isinstance(value, str):
        value = value.encode()
        if len(value) % 2: value += b"\0"
    return struct.pack("<HHI", 0, element, len(value)) + value


def us(v): return struct.pack("<H", v)
def ul(v): return struct.pack("<I", v)


def command(*elements):
    body = b"".join(elements)
    return el(0x0000, ul(len(body))) + body


SOP_INSTANCE = "1.2.826.0.1.3680043.9.7.1.1"
COMMANDS = {
    "c-echo-rq": command(el(0x0002, "1.2.840.10008.1.1"), el(0x0100, us(0x0030)), el(0x0110, us(1)),
                         el(0x0800, us(0x0101))),
    "c-echo-rsp": command(el(0x0002, "1.2.840.10008.1.1"), el(0x0100, us(0x8030)), el(0x0120, us(1)),
                          el(0x0800, us(0x0101)), el(0x0900, us(0))),
    "c-store-rq": command(el(0x0002, CT_STORAGE.decode()), el(0x0100, us(0x0001)), el(0x0110, us(7)),
                          el(0x0700, us(0)), el(0x0800, us(0x0000)), el(0x1000, SOP_INSTANCE),
                          el(0x1030, "MOVESCU"), el(0x1031, us(3))),
    "c-store-rsp": command(el(0x0002, CT_STORAGE.decode()), el(0x0100, us(0x8001)), el(0x0120, us(7)),
                           el(0x0800, us(0x0101)), el(0x0900, us(0xA700)), el(0x0902, "out of resources"),
                           el(0x1000, SOP_INSTANCE)),
    "c-find-rq": command(el(0x0002, FIND_STUDY.decode()), el(0x0100, us(0x0020)), el(0x0110, us(2)),
                         el(0x0700, us(0)), el(0x0800, us(0x0000))),
    "c-find-rsp": command(el(0x0002, FIND_STUDY.decode()), el(0x0100, us(0x8020)), el(0x0120, us(2)),
                          el(0x0800, us(0x0000)), el(0x0900, us(0xFF00))),
    "c-move-rq": command(el(0x0002, "1.2.840.10008.5.1.4.1.2.2.2"), el(0x0100, us(0x0021)), el(0x0110, us(3)),
                         el(0x0600, "STORESCP"), el(0x0700, us(0)), el(0x0800, us(0x0000))),
    "c-move-rsp": command(el(0x0002, "1.2.840.10008.5.1.4.1.2.2.2"), el(0x0100, us(0x8021)), el(0x0120, us(3)),
                          el(0x0800, us(0x0101)), el(0x0900, us(0xFF00)), el(0x1020, us(5)), el(0x1021, us(2)),
                          el(0x1022, us(1)), el(0x1023, us(0))),
    "c-get-rsp": command(el(0x0002, "1.2.840.10008.5.1.4.1.2.2.3"), el(0x0100, us(0x8010)), el(0x0120, us(4)),
                         el(0x0800, us(0x0101)), el(0x0900, us(0xC000)), el(0x0901, ul(0x00100010)),
                         el(0x1021, us(0)), el(0x1022, us(3)), el(0x1023, us(0))),
    "c-cancel-rq": command(el(0x0100, us(0x0FFF)), el(0x0120, us(2)), el(0x0800, us(0x0101))),
}


# ---------------------------------------------------------------- data sets (PS3.5 §7)

def sample_dataset():
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = CT_STORAGE.decode()
    ds.SOPInstanceUID = SOP_INSTANCE
    ds.StudyDate = "20260101"
    ds.Modality = "CT"
    ds.PatientName = "Müller^Hans=ミュラー^ハンス"
    ds.PatientID = "ID-001"
    ds.PatientAge = "042Y"
    ds.StudyInstanceUID = "1.2.826.0.1.3680043.9.7.1"
    ds.SeriesNumber = 3
    ds.InstanceNumber = "12"
    ds.ImagePositionPatient = [-125.0, -125.5, 10.25]
    ds.SliceThickness = 1.5
    ds.Rows = 2
    ds.Columns = 2
    ds.BitsAllocated = 16
    ds.BitsStored = 12
    ds.PixelRepresentation = 1
    ds.SmallestImagePixelValue = -5
    ds.add_new(0x00280034, "IS", "1\\1")
    ds.add_new(0x00181160, "SH", "WEDGE")
    ds.add_new(0x00209165, "AT", [0x00100010, 0x00200013])
    ds.add_new(0x00189219, "FD", 2.5)
    ds.add_new(0x00189241, "FL", 0.75)
    ds.add_new(0x00080018 + 0x10000000, "UN", b"\x01\x02\x03\x04")  # a private-ish unknown element
    ds.add_new(0x00400280, "ST", "comment")
    ds.add_new(0x00081030, "LO", "Head\\Neck")
    item1 = Dataset()
    item1.ReferencedSOPClassUID = CT_STORAGE.decode()
    item1.ReferencedSOPInstanceUID = SOP_INSTANCE + ".2"
    inner = Dataset()
    inner.CodeValue = "T-A0100"
    inner.CodingSchemeDesignator = "SRT"
    item1.AnatomicRegionSequence = Sequence([inner])
    ds.ReferencedImageSequence = Sequence([item1, Dataset()])
    ds.PixelData = struct.pack("<4h", 0, 100, -5, 4095)
    return ds


def encoded(ds, syntax):
    """A bare data set in `syntax` (deflated: raw deflate of the Explicit VR LE encoding)."""
    if syntax == DeflatedExplicitVRLittleEndian:
        import zlib
        raw = encoded(ds, ExplicitVRLittleEndian)
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        return c.compress(raw) + c.flush()
    little = syntax != ExplicitVRBigEndian
    implicit = syntax == ImplicitVRLittleEndian
    fp = pydicom.filebase.DicomBytesIO()
    fp.is_little_endian, fp.is_implicit_VR = little, implicit
    pydicom.filewriter.write_dataset(fp, ds)
    return fp.getvalue()


def part10(ds, syntax, preamble=True):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = syntax
    meta.ImplementationClassUID = "1.2.826.0.1.3680043.9.7"
    fp = pydicom.filebase.DicomBytesIO()
    fp.is_little_endian, fp.is_implicit_VR = True, False
    pydicom.filewriter.write_file_meta_info(fp, meta, enforce_standard=True)
    head = (bytes(128) + b"DICM" if preamble else b"DICM") + fp.getvalue()
    return head + encoded(ds, syntax)


def encapsulated_dataset():
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = SOP_INSTANCE + ".9"
    ds.Rows, ds.Columns = 8, 8
    ds.BitsAllocated = 8
    # Basic offset table (one entry) and one fragment, undefined length (PS3.5 A.4).
    frag = b"\xFF\xD8\xFF\xD9"
    pixel = (struct.pack("<HHI", 0xFFFE, 0xE000, 4) + ul(0)
             + struct.pack("<HHI", 0xFFFE, 0xE000, len(frag)) + frag
             + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0))
    body = encoded(ds, ExplicitVRLittleEndian) + struct.pack("<HH", 0x7FE0, 0x0010) + b"OB\0\0" + ul(0xFFFFFFFF) + pixel
    return body


def main():
    # PDU target: first byte = read size - 1 (mod 64).
    for name, data in {"associate-rq": associate_rq(), "associate-rq-minimal": associate_rq(False),
                       "associate-ac": associate_ac(), "associate-rj": pdu(0x03, b"\0\x01\x01\x07"),
                       "release-rq": pdu(0x05, bytes(4)), "release-rp": pdu(0x06, bytes(4)),
                       "abort": pdu(0x07, b"\0\0\x02\x06"),
                       "p-data-echo": p_data(pdv(1, 0x03, COMMANDS["c-echo-rq"])),
                       "p-data-fixture": bytes.fromhex("04000000001200000006 0103AABBCCDD 000000040100EEFF")}.items():
        write("pdu", name, b"\x3f" + data)
    stream = associate_rq() + p_data(pdv(3, 0x01, COMMANDS["c-store-rq"][:20]), pdv(3, 0x03, COMMANDS["c-store-rq"][20:])) \
        + p_data(pdv(3, 0x00, b"\x08\x00\x16\x00"), pdv(3, 0x02, b"")) + pdu(0x05, bytes(4))
    write("pdu", "stream-byte-by-byte", b"\x00" + stream)
    write("pdu", "stream-7-bytes", b"\x06" + stream)

    # DIMSE target: even first byte = one command set; odd = PDVs header(1) length(1) data.
    for name, data in COMMANDS.items():
        write("dimse", "command-" + name, b"\x00" + data)

    def pdvs(*parts): return b"\x01" + b"".join(bytes([h, len(d)]) + d for h, d in parts)
    identifier = encoded(Dataset(), ImplicitVRLittleEndian) + struct.pack("<HHI", 0x0010, 0x0010, 4) + b"DOE^"
    store = COMMANDS["c-store-rq"]
    write("dimse", "pdvs-echo", pdvs((0x03, COMMANDS["c-echo-rq"])))
    write("dimse", "pdvs-store-split", pdvs((0x01, store[:40]), (0x03, store[40:]), (0x00, b"\x08\x00\x16\x00"),
                                            (0x02, b"\x04\x00\x00\x00")))
    write("dimse", "pdvs-find-then-echo", pdvs((0x07, COMMANDS["c-find-rq"]), (0x06, identifier),
                                               (0x03, COMMANDS["c-echo-rq"])))
    write("dimse", "pdvs-move-responses", pdvs((0x0B, COMMANDS["c-move-rsp"]), (0x0B, COMMANDS["c-store-rsp"])))

    # DataSet target: first byte % 5: 0 = file, 1..4 = bare data set in implicit / explicit LE / BE / deflated.
    ds = sample_dataset()
    syntaxes = [ImplicitVRLittleEndian, ExplicitVRLittleEndian, ExplicitVRBigEndian, DeflatedExplicitVRLittleEndian]
    names = ["implicit-le", "explicit-le", "explicit-be", "deflated"]
    for mode, (syntax, name) in enumerate(zip(syntaxes, names), start=1):
        write("dataset", "file-" + name, b"\x00" + part10(ds, syntax))
        write("dataset", "bare-" + name, bytes([mode]) + encoded(ds, syntax))
    write("dataset", "file-no-preamble", b"\x00" + part10(ds, ExplicitVRLittleEndian, preamble=False))
    write("dataset", "file-no-meta-implicit", b"\x00" + encoded(ds, ImplicitVRLittleEndian))
    write("dataset", "bare-encapsulated", b"\x02" + encapsulated_dataset())
    # Undefined-length sequence and item (PS3.5 §7.5.2), explicit VR LE.
    undefined = (struct.pack("<HH", 0x0008, 0x1140) + b"SQ\0\0" + ul(0xFFFFFFFF)
                 + struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF)
                 + struct.pack("<HH", 0x0008, 0x1150) + b"UI" + struct.pack("<H", 2) + b"1\0"
                 + struct.pack("<HHI", 0xFFFE, 0xE00D, 0) + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0))
    write("dataset", "bare-undefined-lengths", b"\x02" + undefined)


if __name__ == "__main__":
    main()
