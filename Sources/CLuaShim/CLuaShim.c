#include "CLuaShim.h"
#include <signal.h>
#include <unistd.h>

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
    int results = function(L, box->object);
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
        else
            msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);  /* append a standard traceback */
    return 1;
}

/* The hook raises from C, inside the Lua VM: the longjmp reaches the innermost lua_pcall without crossing a
 * Swift frame (every Swift entry into Lua is a pcall). */
static void interrupted_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted!");
}

void cluashim_interrupt(lua_State *L) {
    lua_sethook(L, interrupted_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

void cluashim_clear_interrupt(lua_State *L) {
    if (lua_gethook(L) == interrupted_hook) lua_sethook(L, NULL, 0, 0);
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
