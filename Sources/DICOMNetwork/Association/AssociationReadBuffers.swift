import NIOCore

/// How large the socket reads of an association are. NIO's default adaptive allocator stops at 64 KiB, so
/// every P-DATA-TF PDU of the usual 128 KiB arrived in two reads that the frame decoder had to copy into one
/// buffer (all data copied once more, into freshly allocated memory). Reads of up to 1 MiB take several
/// PDUs at once; only a PDU cut by the end of a read is copied. Memory: at most one such buffer per
/// association is being filled at a time.
enum AssociationReadBuffers {
    static let allocator = AdaptiveRecvByteBufferAllocator(minimum: 1024, initial: 64 * 1024, maximum: 1 << 20)
}
