import CZlib

/// Raw deflate (RFC 1951, no zlib or gzip wrapper) for the Deflated Explicit VR Little Endian transfer
/// syntax (PS3.5 §A.5), via the system zlib.
public enum Deflate {
    /// Inflates `input`; throws `DICOMParseError(.inflate)` on corrupt data or when the output would exceed
    /// `limit` bytes. Offsets in errors are positions in `input`.
    public static func inflate(_ input: ArraySlice<UInt8>, limit: Int) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DICOMParseError(.inflate, at: 0, "zlib inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, max(input.count * 4, 64 * 1024)))
        let chunkSize = 256 * 1024
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        return try input.withUnsafeBytes { (inRaw: UnsafeRawBufferPointer) -> [UInt8] in
            stream.next_in = UnsafeMutablePointer(mutating: inRaw.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(inRaw.count)
            while true {
                let status: Int32 = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(chunkSize)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunkSize - Int(stream.avail_out)
                if output.count + produced > limit {
                    throw DICOMParseError(
                        .inflate, at: inRaw.count - Int(stream.avail_in),
                        "deflated data set inflates beyond the limit of \(limit) bytes")
                }
                output.append(contentsOf: chunk[0..<produced])
                switch status {
                case Z_STREAM_END:
                    return output
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.avail_in == 0:
                    // Input ended without the final block: keep what was inflated (a truncated stream
                    // then fails in the parser with an offset in the inflated data).
                    return output
                default:
                    let reason = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                    throw DICOMParseError(
                        .inflate, at: inRaw.count - Int(stream.avail_in),
                        "corrupt deflated data set: \(reason)")
                }
            }
        }
    }

    /// Deflates `input` as raw deflate (RFC 1951), as PS3.5 §A.5 requires.
    public static func deflate(_ input: [UInt8], level: Int32 = Z_DEFAULT_COMPRESSION) throws -> [UInt8] {
        var stream = z_stream()
        guard
            deflateInit2_(
                &stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else {
            throw DICOMEncodeError("zlib deflateInit2 failed")
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let status: Int32 = input.withUnsafeBytes { inRaw in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: inRaw.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(inRaw.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(bound)
                return CZlib.deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw DICOMEncodeError("zlib deflate failed with status \(status)") }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }
}
