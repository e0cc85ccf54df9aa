#!/usr/bin/env python3
"""A pynetdicom peer over DICOM TLS for the tests (docs/lua-api.md "DICOM TLS"), with Python's ssl contexts:

    pynetdicom-tls-peer.py scp PORT AET OUTDIR CERT KEY CA
        a storage and verification SCP on 127.0.0.1:PORT that requires a client certificate signed by CA;
        each received instance is written to OUTDIR/<SOPInstanceUID>.dcm; runs until stopped (SIGTERM)
    pynetdicom-tls-peer.py scu PORT AEC CERT KEY CA FILE...
        C-ECHO, then C-STORE of each FILE over one association; prints one line per operation
        ("echo 0x0000", "store 0x0000 UID"); exit 0 when every status is success
    pynetdicom-tls-peer.py qrscp PORT AET FOLDER CERT KEY CA [DESTAE=HOST:PORT ...]
        a Study Root query/retrieve SCP on 127.0.0.1:PORT over the files below FOLDER (loaded at start) that
        requires a client certificate signed by CA: C-FIND at STUDY, SERIES and IMAGE level, C-GET (the files
        come back on the same association) and C-MOVE to a DESTAE of the command line, over TLS with the same
        certificate; prints "ready N" once it listens with N files; runs until stopped (SIGTERM)
    pynetdicom-tls-peer.py getscu PORT AEC CERT KEY CA OUTDIR STUDYUID
        a Study Root C-GET of the study over one association; each instance that comes back is written to
        OUTDIR/<SOPInstanceUID>.dcm and printed ("stored UID"), then "get 0xSTATUS completed N failed N";
        exit 0 when the final status is success

Test use only: never point it at patient data.
"""
import logging, os, signal, ssl, sys

from pydicom import Dataset, dcmread
from pydicom.uid import ExplicitVRLittleEndian
from pynetdicom import (AE, ALL_TRANSFER_SYNTAXES, AllStoragePresentationContexts, StoragePresentationContexts,
                        build_context, build_role, evt)
from pynetdicom.sop_class import (StudyRootQueryRetrieveInformationModelFind,
                                  StudyRootQueryRetrieveInformationModelGet,
                                  StudyRootQueryRetrieveInformationModelMove)

VERIFICATION = "1.2.840.10008.1.1"


def scp(port, aet, outdir, cert, key, ca):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=ca)
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_cert_chain(certfile=cert, keyfile=key)

    def handle_store(event):
        ds = event.dataset
        ds.file_meta = event.file_meta
        ds.save_as(os.path.join(outdir, ds.SOPInstanceUID + ".dcm"), enforce_file_format=True)
        return 0x0000

    ae = AE(ae_title=aet)
    for cx in AllStoragePresentationContexts:
        ae.add_supported_context(cx.abstract_syntax, ALL_TRANSFER_SYNTAXES)
    ae.add_supported_context(VERIFICATION)
    ae.start_server(("127.0.0.1", port), block=True, ssl_context=context,
                    evt_handlers=[(evt.EVT_C_STORE, handle_store)])


def qrscp(port, aet, folder, cert, key, ca, destinations):
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)  # pynetdicom's handler errors
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=ca)
    server.verify_mode = ssl.CERT_REQUIRED
    server.load_cert_chain(certfile=cert, keyfile=key)
    client = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca)
    client.check_hostname = False
    client.load_cert_chain(certfile=cert, keyfile=key)
    known = {}
    for entry in destinations:
        title, address = entry.split("=", 1)
        host, dest_port = address.rsplit(":", 1)
        known[title] = (host, int(dest_port))
    files = sorted(os.path.join(d, n) for d, _, names in os.walk(folder) for n in names if n.endswith(".dcm"))
    instances = [dcmread(f) for f in files]
    unique = {"STUDY": "StudyInstanceUID", "SERIES": "SeriesInstanceUID", "IMAGE": "SOPInstanceUID"}

    def matching(identifier):
        """The instances whose UIDs (single, list or universal) and patient ID match the identifier."""
        level = str(identifier.get("QueryRetrieveLevel", ""))
        found = []
        for ds in instances:
            keep = True
            for keyword in ("PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"):
                wanted = str(identifier.get(keyword, "") or "").strip()
                if wanted not in ("", "*") and str(ds.get(keyword, "")) not in wanted.split("\\"):
                    keep = False
            if keep:
                found.append(ds)
        return level, found

    def handle_find(event):
        level, found = matching(event.identifier)
        if level not in unique:
            yield 0xC000, None
            return
        seen = set()
        for ds in found:
            uid = str(ds.get(unique[level]))
            if uid in seen:
                continue
            seen.add(uid)
            answer = Dataset()
            for element in event.identifier:
                if element.keyword and element.keyword in ds:
                    setattr(answer, element.keyword, ds.get(element.keyword))
                elif element.keyword:
                    answer.add_new(element.tag, element.VR, None)
            answer.QueryRetrieveLevel = level
            yield 0xFF00, answer

    def handle_get(event):
        _, found = matching(event.identifier)
        yield len(found)
        for ds in found:
            yield 0xFF00, ds

    def handle_move(event):
        title = event.move_destination
        title = (title.decode("ascii") if isinstance(title, bytes) else str(title)).strip()
        destination = known.get(title)
        if destination is None:
            yield None, None
            return
        _, found = matching(event.identifier)
        contexts = sorted({(str(ds.SOPClassUID), str(ds.file_meta.TransferSyntaxUID)) for ds in found})
        yield destination[0], destination[1], {
            "tls_args": (client, None),
            "contexts": [build_context(uid, [syntax]) for uid, syntax in contexts],
        }
        yield len(found)
        for ds in found:
            yield 0xFF00, ds

    ae = AE(ae_title=aet)
    for uid in (StudyRootQueryRetrieveInformationModelFind, StudyRootQueryRetrieveInformationModelGet,
                StudyRootQueryRetrieveInformationModelMove):
        ae.add_supported_context(uid)
    for cx in AllStoragePresentationContexts:
        ae.add_supported_context(cx.abstract_syntax, ALL_TRANSFER_SYNTAXES, scp_role=True, scu_role=False)
    ae.start_server(("127.0.0.1", port), block=False, ssl_context=server, evt_handlers=[
        (evt.EVT_C_FIND, handle_find), (evt.EVT_C_GET, handle_get), (evt.EVT_C_MOVE, handle_move)])
    print(f"ready {len(instances)}", flush=True)
    signal.pause()  # until SIGTERM


def scu(port, aec, cert, key, ca, files):
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca)
    context.check_hostname = False
    context.load_cert_chain(certfile=cert, keyfile=key)
    datasets = [dcmread(f) for f in files]
    ae = AE(ae_title="PYTLSSCU")
    ae.add_requested_context(VERIFICATION)
    for uid in sorted({str(ds.SOPClassUID) for ds in datasets}):
        ae.add_requested_context(uid, [str(ds.file_meta.TransferSyntaxUID) for ds in datasets][:1])
    assoc = ae.associate("127.0.0.1", port, ae_title=aec, tls_args=(context, None))
    if not assoc.is_established:
        print("association failed", flush=True)
        return 1
    ok = True
    status = assoc.send_c_echo()
    print(f"echo 0x{status.Status:04X}" if status else "echo none", flush=True)
    ok = ok and bool(status) and status.Status == 0
    for ds in datasets:
        status = assoc.send_c_store(ds)
        print(f"store 0x{status.Status:04X} {ds.SOPInstanceUID}" if status else "store none", flush=True)
        ok = ok and bool(status) and status.Status == 0
    assoc.release()
    return 0 if ok else 1


def getscu(port, aec, cert, key, ca, outdir, study):
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca)
    context.check_hostname = False
    context.load_cert_chain(certfile=cert, keyfile=key)

    def handle_store(event):
        ds = event.dataset
        ds.file_meta = event.file_meta
        ds.save_as(os.path.join(outdir, ds.SOPInstanceUID + ".dcm"), enforce_file_format=True)
        print(f"stored {ds.SOPInstanceUID}", flush=True)
        return 0x0000

    ae = AE(ae_title="PYTLSGET")
    ae.add_requested_context(StudyRootQueryRetrieveInformationModelGet)
    # At most 128 presentation contexts (PS3.8 9.3.2.2); Explicit VR Little Endian only, so that what arrives
    # can be compared byte for byte with files in that transfer syntax.
    for cx in StoragePresentationContexts[:127]:
        ae.add_requested_context(cx.abstract_syntax, ExplicitVRLittleEndian)
    roles = [build_role(cx.abstract_syntax, scp_role=True) for cx in StoragePresentationContexts[:127]]
    assoc = ae.associate("127.0.0.1", port, ae_title=aec, ext_neg=roles, tls_args=(context, None),
                         evt_handlers=[(evt.EVT_C_STORE, handle_store)])
    if not assoc.is_established:
        print("association failed", flush=True)
        return 1
    query = Dataset()
    query.QueryRetrieveLevel = "STUDY"
    query.StudyInstanceUID = study
    final = None
    for status, _ in assoc.send_c_get(query, StudyRootQueryRetrieveInformationModelGet):
        if status and status.Status not in (0xFF00, 0xFF01):
            final = status
    assoc.release()
    if final is None:
        print("get none", flush=True)
        return 1
    completed = final.get("NumberOfCompletedSuboperations", "?")
    failed = final.get("NumberOfFailedSuboperations", "?")
    print(f"get 0x{final.Status:04X} completed {completed} failed {failed}", flush=True)
    return 0 if final.Status == 0 else 1


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "scp":
        scp(int(args[0]), args[1], args[2], args[3], args[4], args[5])
    elif mode == "qrscp":
        qrscp(int(args[0]), args[1], args[2], args[3], args[4], args[5], args[6:])
    elif mode == "getscu":
        sys.exit(getscu(int(args[0]), args[1], args[2], args[3], args[4], args[5], args[6]))
    elif mode == "scu":
        sys.exit(scu(int(args[0]), args[1], args[2], args[3], args[4], args[5:]))
    else:
        sys.exit(f"unknown mode {mode}: scp, qrscp, scu or getscu")
