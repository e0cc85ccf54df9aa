#ifndef CPOSIXSHIM_H
#define CPOSIXSHIM_H

#include <stddef.h>
#include <sys/types.h>

/// pread(2) that never waits for the disk: preadv2 with RWF_NOWAIT (Linux 4.14+). Returns the bytes read
/// from the page cache (possibly fewer than `count`), or -1 with errno EAGAIN when the first byte would
/// need a disk read, or when the system cannot tell (ENOSYS, EOPNOTSUPP, EINVAL: the caller reads the
/// usual way). Swift cannot call preadv2 itself: glibc declares it only under _GNU_SOURCE.
ssize_t dicomlua_pread_nowait(int fd, void *buffer, size_t count, off_t offset);

#endif
