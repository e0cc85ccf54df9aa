import Crypto
import DICOMCore

/// File names of received instances (docs/lua-api.md "Received instances", docs/protocol-notes.md §5):
/// `<SOP Instance UID>.<extension>` when the UID is a valid DICOM UID (digits and dots, at most 64
/// characters, `isValidUID`: never `.`/`..`, never a separator); otherwise
/// `invalid-uid-<first 16 hex digits of SHA-256 of the UID bytes>.<extension>`, so a crafted UID such as
/// `../../x`, `1.2/../3` or one with a NUL never becomes a path outside the folder.
public enum InstanceFileNaming {
    /// Characters allowed in a file extension (letters, digits, `_`, `-`); at most 16 of them.
    public static func isValidExtension(_ ext: String) -> Bool {
        ext.utf8.count <= 16
            && ext.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
                    || b == 0x2D
            }
    }

    /// The file name for `sopInstanceUID` and whether it had to be derived (invalid UID).
    public static func fileName(sopInstanceUID: String, fileExtension: String) -> (name: String, derived: Bool) {
        let uid = sopInstanceUID.trimmingTrailingUIDPadding()
        let suffix = fileExtension.isEmpty ? "" : "." + fileExtension
        if isValidUID(uid) { return (uid + suffix, false) }
        let hash = SHA256.hash(data: Array(sopInstanceUID.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        return ("invalid-uid-\(hash)" + suffix, true)
    }
}

extension String {
    /// Without the trailing NUL/space padding of a UI value (PS3.5 §9.1).
    func trimmingTrailingUIDPadding() -> String {
        var sub = Substring(self)
        while let last = sub.last, last == "\0" || last == " " { sub = sub.dropLast() }
        return String(sub)
    }
}
