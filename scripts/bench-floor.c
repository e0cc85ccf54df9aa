/*
 * The floor rows of scripts/bench: what this machine itself needs for the I/O of a case, with no DICOM.
 *
 *   bench-floor write SRC_DIR OUT_DIR   reads every file of SRC_DIR into memory (not timed), then writes
 *                                       each into OUT_DIR as a new file of the same size (timed)
 *   bench-floor send SRC_DIR            reads every file of SRC_DIR and writes it to a loopback TCP socket
 *                                       whose other end (a forked child) reads and discards (timed)
 *
 * Prints one line, "floor <files> files <bytes> bytes <wall s> wall <cpu s> cpu", for the timed part only
 * (CPU: this process, user + system, as the bench measures the client of a send and the SCP of a receive).
 * Compiled by scripts/bench with the system's cc; no dependency beyond libc.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what, const char *detail) {
    fprintf(stderr, "bench-floor: %s %s: %s\n", what, detail ? detail : "", strerror(errno));
    exit(1);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }
static int regular(const struct dirent *e) { return e->d_name[0] != '.'; }

static void write_all(int fd, const char *data, size_t size, const char *what) {
    while (size > 0) {
        ssize_t n = write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("write", what);
        }
        data += n;
        size -= (size_t)n;
    }
}

static char *read_file(const char *path, size_t *size) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) die("open", path);
    struct stat st;
    if (fstat(fd, &st) != 0) die("stat", path);
    char *data = malloc((size_t)st.st_size + 1);
    size_t done = 0;
    while (done < (size_t)st.st_size) {
        ssize_t n = read(fd, data + done, (size_t)st.st_size - done);
        if (n <= 0) die("read", path);
        done += (size_t)n;
    }
    close(fd);
    *size = done;
    return data;
}

/* The loopback discard end: accepts one connection, reads until EOF. Returns the connected client fd. */
static int discard_connection(pid_t *child) {
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t length = sizeof address;
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0) die("bind", "127.0.0.1");
    if (listen(listener, 1) != 0 || getsockname(listener, (struct sockaddr *)&address, &length) != 0)
        die("listen", "127.0.0.1");
    *child = fork();
    if (*child == 0) {
        int peer = accept(listener, NULL, NULL);
        static char sink[1 << 18];
        while (read(peer, sink, sizeof sink) > 0) {}
        _exit(0);
    }
    close(listener);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) die("connect", "127.0.0.1");
    return fd;
}

int main(int argc, char **argv) {
    if (argc < 3 || (strcmp(argv[1], "write") == 0 && argc != 4) || (strcmp(argv[1], "send") == 0 && argc != 3)) {
        fprintf(stderr, "usage: bench-floor write SRC_DIR OUT_DIR | bench-floor send SRC_DIR\n");
        return 2;
    }
    const char *source = argv[2];
    struct dirent **names;
    int count = scandir(source, &names, regular, by_name);
    if (count < 0) die("scandir", source);
    char path[4096];
    size_t total = 0;
    double wall0, cpu0;
    if (strcmp(argv[1], "write") == 0) {
        char **data = calloc((size_t)count, sizeof *data);
        size_t *sizes = calloc((size_t)count, sizeof *sizes);
        for (int i = 0; i < count; i++) {
            snprintf(path, sizeof path, "%s/%s", source, names[i]->d_name);
            data[i] = read_file(path, &sizes[i]);
        }
        wall0 = now();
        cpu0 = cpu();
        for (int i = 0; i < count; i++) {
            snprintf(path, sizeof path, "%s/%s", argv[3], names[i]->d_name);
            int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
            if (fd < 0) die("create", path);
            write_all(fd, data[i], sizes[i], path);
            if (close(fd) != 0) die("close", path);
            total += sizes[i];
        }
    } else {
        pid_t child;
        int socket_fd = discard_connection(&child);
        wall0 = now();
        cpu0 = cpu();
        for (int i = 0; i < count; i++) {
            size_t size;
            snprintf(path, sizeof path, "%s/%s", source, names[i]->d_name);
            char *data = read_file(path, &size);
            write_all(socket_fd, data, size, "socket");
            free(data);
            total += size;
        }
        shutdown(socket_fd, SHUT_WR);
        waitpid(child, NULL, 0);
    }
    printf("floor %d files %zu bytes %.6f wall %.6f cpu\n", count, total, now() - wall0, cpu() - cpu0);
    return 0;
}
