/* zlib, for the Deflated Explicit VR Little Endian transfer syntax (PS3.5 §A.5). */
#include <zlib.h>
