#define _GNU_SOURCE
#include "CPosixShim.h"

#include <errno.h>
#include <sys/uio.h>

ssize_t dicomlua_pread_nowait(int fd, void *buffer, size_t count, off_t offset) {
#ifdef RWF_NOWAIT
    struct iovec vector = {.iov_base = buffer, .iov_len = count};
    ssize_t n = preadv2(fd, &vector, 1, offset, RWF_NOWAIT);
    if (n < 0 && errno != EINTR) errno = EAGAIN;
    return n;
#else
    (void)fd; (void)buffer; (void)count; (void)offset;
    errno = EAGAIN;
    return -1;
#endif
}
