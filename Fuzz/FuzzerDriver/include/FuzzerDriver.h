#ifndef DICOMLUA_FUZZER_DRIVER_H
#define DICOMLUA_FUZZER_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt, linked by `-sanitize=fuzzer`): parses libFuzzer's command line and
/// runs `callback` on each input. The fuzz targets call it from their own `main`, so SwiftPM can link them
/// as ordinary executables.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
