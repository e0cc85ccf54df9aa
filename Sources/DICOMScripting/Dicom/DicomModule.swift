import DICOMCore
import Foundation
import LuaBridge

/// The `dicom` table (docs/lua-api.md `dicom`): `read`, `write`, `new`, `uid`, `sleep`, `version`, and
/// `deidentify`, `deidentify_file` (`DeidentifyBindings`).
enum DicomModule {
    static func install(in state: LuaState, runLoop: ScriptRunLoop) throws {
        try state.register(DataSetObject.type)
        try state.setModule(
            "dicom",
            functions: [
                "sleep": { arguments in try sleep(arguments, runLoop: runLoop) },
                "read": read,
                "write": write,
                "new": new,
                "uid": { _ in [LuaValue(UIDGenerator.make())] },
            ].merging(DeidentifyBindings().functions) { a, _ in a },
            values: ["version": .string(LuaString(DICOMLuaVersion.string))])
    }

    /// `dicom.sleep(seconds)`: waits, running the jobs other threads post (in-process SCP hooks).
    private static func sleep(_ arguments: LuaArguments, runLoop: ScriptRunLoop) throws -> [LuaValue] {
        let maximum = ScriptEnvironment.maximumSleep
        guard let seconds = arguments[0].doubleValue, seconds.isFinite, seconds >= 0, seconds <= maximum else {
            throw LuaScriptError(
                "sleep: expected a number of seconds from 0 to \(Int(maximum)), got \(arguments[0].typeName) \(arguments[0])"
            )
        }
        runLoop.run(until: { false }, timeout: seconds)
        return []
    }

    /// `dicom.read(path[, {stop_before_pixels = true}])` → a data set object. The file is read whole (PS3.10
    /// file, a meta group without preamble, or a bare data set); `stop_before_pixels` drops Pixel Data
    /// (7FE0,0010) and every element after it. A file that cannot be read or parsed raises
    /// `read: <path>: <problem (at byte offset n)>`.
    private static func read(_ arguments: LuaArguments) throws -> [LuaValue] {
        let path = try arguments.string(0, "read")
        let options = try LuaNames.keywords(
            try arguments.optionalTable(1, "read"), method: "read",
            allowed: ["stop_before_pixels"])
        let file: DICOMFile
        do {
            file = try DICOMFile.read(path: path)
        } catch {
            throw LuaScriptError("read: \(path): \(error)")
        }
        var dataSet = file.dataSet
        dataSet.removeAll { $0.group == 0x0002 }
        if options["stop_before_pixels"]?.isTruthy == true { dataSet.removeAll { $0 >= .pixelData } }
        let node = DataSetNode(
            root: dataSet, sourceTransferSyntax: file.transferSyntax,
            sourceApplicationEntityTitle: file.meta.string(.sourceApplicationEntityTitle))
        // The data set's memory is Swift's, invisible to Lua's collector: without this, reading many files
        // in a loop kept every unreachable data set until Lua's own (tiny) heap doubled (524 MiB for 1000
        // files of 512 KiB).
        arguments.reportExternalAllocation(bytes: fileLength(path))
        return [try arguments.makeUserdata(node, of: DataSetObject.type)]
    }

    /// Size of the file at `path` (0 if it cannot be stat'ed any more).
    private static func fileLength(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    /// `dicom.write(path, ds[, {transfer_syntax = uid}])`: a PS3.10 file written atomically (temporary file
    /// and rename), its meta information built from the data set's SOP Class/Instance UIDs. The transfer
    /// syntax defaults to the one the data set was read in, else Explicit VR Little Endian.
    private static func write(_ arguments: LuaArguments) throws -> [LuaValue] {
        let path = try arguments.string(0, "write")
        guard case .reference(let reference) = arguments[1], let node = try? reference.object(of: DataSetObject.type)
        else {
            throw LuaScriptError("bad argument #2 to 'write' (dataset expected, got \(arguments[1].typeName))")
        }
        let options = try LuaNames.keywords(
            try arguments.optionalTable(2, "write"), method: "write",
            allowed: ["transfer_syntax"])
        var transferSyntax = node.sourceTransferSyntax ?? .explicitVRLittleEndian
        if let requested = options["transfer_syntax"] {
            guard let uid = requested.stringValue, TransferSyntax.isKnown(uid: uid) else {
                let known = TransferSyntax.known.map(\.uid).joined(separator: ", ")
                throw LuaScriptError(
                    "write: transfer_syntax must be one of \(known), got \(requested.typeName) \(requested)")
            }
            transferSyntax = TransferSyntax.from(uid: uid)
        }
        let file = DICOMFile(
            dataSet: node.dataSet, transferSyntax: transferSyntax,
            sourceApplicationEntityTitle: node.sourceApplicationEntityTitle)
        do {
            try file.write(to: path)
        } catch {
            throw LuaScriptError("write: \(path): \(error)")
        }
        return []
    }

    /// `dicom.new([{keyword = value, ...}])` → a new data set object (Little Endian, default character set).
    private static func new(_ arguments: LuaArguments) throws -> [LuaValue] {
        let table = try arguments.optionalTable(0, "new")
        let dataSet = try DataSetValueWriting.dataSet(from: table, inheritedFrom: nil, method: "new", depth: 0)
        return [try arguments.makeUserdata(DataSetNode(root: dataSet), of: DataSetObject.type)]
    }
}
