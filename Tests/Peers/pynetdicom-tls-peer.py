#!/usr/bin/env python3
"""A pynetdicom peer over DICOM TLS for the tests (docs/lua-api.md "DICOM TLS"), with Python's ssl contexts:

    pynetdicom-tls-peer.py scp PORT AET OUTDIR CERT KEY CA
        a storage and verification SCP on 127.0.0.1:PORT that requires a client certificate signed by CA;
        each received instance is written to OUTDIR/<SOPInstanceUID>.dcm; runs until stopped (SIGTERM)
    pynetdicom-tls-peer.py scu PORT AEC CERT KEY CA FILE...
        C-ECHO, then C-STORE of each FILE over one association; prints one line per operation
        ("echo 0x0000", "store 0x0000 UID"); exit 0 when every status is success

Test use only: never point it at patient data.
"""
import os, ssl, sys

from pydicom import dcmread
from pynetdicom import AE, ALL_TRANSFER_SYNTAXES, AllStoragePresentationContexts, evt

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


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "scp":
        scp(int(args[0]), args[1], args[2], args[3], args[4], args[5])
    elif mode == "scu":
        sys.exit(scu(int(args[0]), args[1], args[2], args[3], args[4], args[5:]))
    else:
        sys.exit(f"unknown mode {mode}: scp or scu")
