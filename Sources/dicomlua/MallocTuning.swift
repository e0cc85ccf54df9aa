#if canImport(Glibc)
import Glibc
#endif

/// glibc malloc settings for a process that moves large buffers (PDUs of up to 128 KiB and more, file
/// chunks): blocks up to 4 MiB come from the heap and freed memory stays mapped up to 64 MiB. With glibc's
/// defaults such buffers were fresh `mmap`s (or a heap trimmed back with `madvise`) whose pages faulted in
/// again every time: 10% of a storage SCP's CPU samples were page faults with 8 senders at once
/// (BENCHMARKS.md, case 5). Peak memory is unchanged (what is kept was in use at the peak) and the
/// 64 MiB bound on what is kept leaves the 1 GiB instance case within its RSS budget.
///
/// `mallopt` is in <malloc.h>, which the Glibc module does not export: it is looked up with `dlsym`
/// (absent on other C libraries: nothing is done).
enum MallocTuning {
    /// glibc's `M_TRIM_THRESHOLD` and `M_MMAP_THRESHOLD` (<malloc.h>).
    private static let trimThreshold: Int32 = -1
    private static let mmapThreshold: Int32 = -3

    static func apply() {
        #if canImport(Glibc)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(mmapThreshold, 4 << 20)
        _ = mallopt(trimThreshold, 64 << 20)
        #endif
    }
}
