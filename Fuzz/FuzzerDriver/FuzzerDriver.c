// Intentionally empty: SwiftPM wants one source file per C target; the declaration is in the header.
#include "FuzzerDriver.h"
