// Only this file imports the C library with @preconcurrency: elsewhere Foundation re-exports it, and Swift 6
// rejects any use of the C global `stdout` (a `var`) as shared mutable state.
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// `fflush(stdout)`. Safe from any thread: the C library sets `stdout` before `main` and nothing here
/// reassigns it, and stdio locks the stream itself.
func flushStandardOutput() {
    fflush(stdout)
}
