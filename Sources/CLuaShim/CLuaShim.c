#include "CLuaShim.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- budgets (docs/lua-api.md "Hooks under load") ---- */

/* The allocator's `ud`: how much the state holds, its limit, and the time budget of the running hook. */
typedef struct cluashim_Budget {
    size_t used;
    size_t limit;           /* bytes; 0: none */
    int enforce;            /* the memory limit applies now: Lua code runs (not Swift) */
    volatile double deadline; /* CLOCK_MONOTONIC seconds; 0: none */
    volatile sig_atomic_t interrupt_pending; /* cluashim_interrupt was asked and has not fired yet */
    char what[192];         /* the error raised when the deadline passes */
} cluashim_Budget;

static void *budget_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    cluashim_Budget *b = (cluashim_Budget *)ud;
    size_t old = ptr != NULL ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        b->used -= old;
        return NULL;
    }
    /* Only Lua code is refused memory: an allocation made by Swift's own API calls (outside a protected
     * call) must not fail, or it would longjmp across Swift frames. */
    if (b->limit != 0 && b->enforce && nsize > old && b->used - old + nsize > b->limit) return NULL;
    void *p = realloc(ptr, nsize);
    if (p != NULL) b->used = b->used - old + nsize;
    return p;
}

static int panic(lua_State *L) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "PANIC: unprotected error in call to Lua API (%s)\n", msg != NULL ? msg : "?");
    fflush(stderr);
    return 0; /* then abort */
}

static cluashim_Budget *budget_of(lua_State *L) {
    void *ud = NULL;
    (void)lua_getallocf(L, &ud);
    return (cluashim_Budget *)ud;
}

lua_State *cluashim_newstate(size_t memory_limit) {
    cluashim_Budget *b = (cluashim_Budget *)calloc(1, sizeof(cluashim_Budget));
    if (b == NULL) return NULL;
    b->limit = memory_limit;
    lua_State *L = lua_newstate(budget_alloc, b);
    if (L == NULL) {
        free(b);
        return NULL;
    }
    lua_atpanic(L, panic);
    return L;
}

void cluashim_closestate(lua_State *L) {
    cluashim_Budget *b = budget_of(L);
    lua_close(L);
    free(b);
}

size_t cluashim_memory_used(lua_State *L) { return budget_of(L)->used; }

static double monotonic_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void budget_hook(lua_State *L, lua_Debug *ar);
static void interrupted_hook(lua_State *L, lua_Debug *ar);

/* The hook a state should have now. An interruption requested from another thread sets its flag before its
 * hook, so a thread that replaced the hook meanwhile sees the flag afterwards and puts the interruption back. */
static void restore_hook(lua_State *L) {
    cluashim_Budget *b = budget_of(L);
    if (b->interrupt_pending) {
        lua_sethook(L, interrupted_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
        return;
    }
    if (b->deadline > 0) lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1000);
    else lua_sethook(L, NULL, 0, 0);
    if (b->interrupt_pending) lua_sethook(L, interrupted_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

static void budget_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    cluashim_Budget *b = budget_of(L);
    if (b->deadline > 0 && monotonic_now() >= b->deadline) {
        b->deadline = 0;
        restore_hook(L);
        luaL_error(L, "%s", b->what);
    }
}

void cluashim_budget_arm(lua_State *L, lua_State *main, double seconds, const char *what) {
    cluashim_Budget *b = budget_of(L);
    snprintf(b->what, sizeof b->what, "%s", what);
    b->deadline = monotonic_now() + seconds;
    restore_hook(main);
    if (L != main) restore_hook(L);
}

double cluashim_budget_disarm(lua_State *L, lua_State *main) {
    cluashim_Budget *b = budget_of(L);
    double left = b->deadline;
    b->deadline = 0;
    restore_hook(main);
    if (L != main) restore_hook(L);
    return left;
}

int cluashim_pcall_limited(lua_State *L, int nargs, int nresults, int msgh) {
    cluashim_Budget *b = budget_of(L);
    int saved = b->enforce;
    b->enforce = 1;
    int status = lua_pcall(L, nargs, nresults, msgh);
    b->enforce = saved;
    return status;
}

/* The metatable of boxes that hold Swift closures: only __gc. */
static const char *const CLUASHIM_FUNCTION_BOX = "dicomlua.SwiftFunctionBox";

static int box_gc(lua_State *L) {
    cluashim_Box *box = (cluashim_Box *)lua_touserdata(L, 1);
    if (box != NULL && box->object != NULL) {
        void *object = box->object;
        box->object = NULL;
        box->release(object);
    }
    return 0;
}

void cluashim_pushbox(lua_State *L, void *object, cluashim_Release release) {
    cluashim_Box *box = (cluashim_Box *)lua_newuserdatauv(L, sizeof(cluashim_Box), 0);
    box->object = object;
    box->release = release;
}

/* The one place a Swift function's error becomes a Lua error: this C frame longjmps, never a Swift frame. */
static int trampoline(lua_State *L) {
    cluashim_Function function = (cluashim_Function)lua_touserdata(L, lua_upvalueindex(1));
    cluashim_Box *box = (cluashim_Box *)lua_touserdata(L, lua_upvalueindex(2));
    cluashim_Budget *b = budget_of(L);
    int saved = b->enforce;
    b->enforce = 0; /* Swift's API calls are never refused memory */
    int results = function(L, box->object);
    b->enforce = saved;
    if (results < 0) return lua_error(L);
    return results;
}

void cluashim_pushfunction(lua_State *L, cluashim_Function function, void *object, cluashim_Release release) {
    lua_pushlightuserdata(L, (void *)function);
    cluashim_pushbox(L, object, release);
    if (luaL_newmetatable(L, CLUASHIM_FUNCTION_BOX)) {
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    lua_pushcclosure(L, trampoline, 2);
}

void *cluashim_boxobject(lua_State *L, int index, const char *tname, int *isbox) {
    cluashim_Box *box = (cluashim_Box *)luaL_testudata(L, index, tname);
    if (isbox != NULL) *isbox = box != NULL;
    return box != NULL ? box->object : NULL;
}

void *cluashim_boxtake(lua_State *L, int index, const char *tname) {
    cluashim_Box *box = (cluashim_Box *)luaL_testudata(L, index, tname);
    if (box == NULL || box->object == NULL) return NULL;
    void *object = box->object;
    box->object = NULL;
    return object;
}

int cluashim_msghandler(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {  /* is error object not a string? */
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;  /* that is the message */
        /* Another value (a table): it stays the error value, so the script's pcall receives it unchanged;
         * its traceback goes to stderr (docs/lua-api.md "Hooks under load"). */
        luaL_traceback(L, L, lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1)), 1);
        fprintf(stderr, "%s\n", lua_tostring(L, -1));
        fflush(stderr);
        lua_settop(L, 1);
        return 1;
    }
    luaL_traceback(L, L, msg, 1);  /* append a standard traceback */
    return 1;
}

/* The hook raises from C, inside the Lua VM: the longjmp reaches the innermost lua_pcall without crossing a
 * Swift frame (every Swift entry into Lua is a pcall). */
static void interrupted_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    cluashim_Budget *b = budget_of(L);
    if (!b->interrupt_pending) { /* delivered already (on another thread of the state) */
        restore_hook(L);
        return;
    }
    b->interrupt_pending = 0;
    restore_hook(L);
    luaL_error(L, "interrupted!");
}

void cluashim_interrupt(lua_State *L) {
    budget_of(L)->interrupt_pending = 1;
    lua_sethook(L, interrupted_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

void cluashim_clear_interrupt(lua_State *L) {
    budget_of(L)->interrupt_pending = 0;
    if (lua_gethook(L) == interrupted_hook) restore_hook(L);
}

/* Signal state is process-wide by nature (lua.c keeps `globalL` the same way). */
static lua_State *volatile sigint_state = NULL;
static volatile sig_atomic_t sigint_fd = -1;

static void on_sigint(int sig) {
    signal(sig, SIG_DFL);  /* if another SIGINT happens, terminate the process */
    lua_State *L = sigint_state;
    if (L != NULL) cluashim_interrupt(L);
    int fd = sigint_fd;
    if (fd >= 0) {
        char byte = 1;
        ssize_t ignored = write(fd, &byte, 1);
        (void)ignored;
    }
}

void cluashim_sigint_install(lua_State *L, int notify_fd) {
    sigint_state = L;
    sigint_fd = notify_fd;
    struct sigaction action;
    action.sa_handler = on_sigint;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    sigaction(SIGINT, &action, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

void cluashim_sigint_uninstall(void) {
    signal(SIGINT, SIG_DFL);
    sigint_state = NULL;
    sigint_fd = -1;
}
