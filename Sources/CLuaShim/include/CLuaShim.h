#ifndef CLUASHIM_H
#define CLUASHIM_H
/*
 * CLuaShim: what Swift cannot import from the Lua 5.4 C API, and the one place that raises Lua errors.
 *
 * 1. Inline wrappers for the function-like macros of lua.h / lauxlib.h (lua_pop, lua_pcall, ...), which the
 *    Swift importer does not see (docs/style.md §5f).
 * 2. The trampoline: a lua_CFunction that calls a Swift function through a function pointer held as an upvalue.
 *    The Swift side never calls lua_error (a longjmp across Swift frames is undefined behaviour); it returns
 *    CLUASHIM_ERROR with the error value on top of the stack, and the C trampoline raises it.
 * 3. Boxes: a full userdata holding one pointer to a retained Swift object and the function that releases it.
 * 4. The message handler of lua.c (msghandler): error object to string, plus a traceback (a table error
 *    value stays itself; its traceback goes to stderr).
 * 5. Budgets: a state whose allocator enforces a memory limit, and a time budget checked by a count hook.
 */
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

/** What a Swift function returns to the trampoline to have the value on top of the stack raised. */
#define CLUASHIM_ERROR (-1)

/** A Swift function called by the trampoline: `L` is the calling thread, `box` the object of the closure's box.
 *  Returns the number of results on the stack, or CLUASHIM_ERROR with the error value on top. */
typedef int (*cluashim_Function)(lua_State *L, void *box);

/** Releases the Swift object a box holds (Unmanaged.release on the Swift side). */
typedef void (*cluashim_Release)(void *object);

/** The payload of a box userdata. `object` is NULL once released. */
typedef struct cluashim_Box {
    void *object;
    cluashim_Release release;
} cluashim_Box;

/* ---- macros made functions ---- */
static inline int cluashim_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline int cluashim_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline void cluashim_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void cluashim_newtable(lua_State *L) { lua_newtable(L); }
static inline int cluashim_pcall(lua_State *L, int nargs, int nresults, int msgh) {
    return lua_pcall(L, nargs, nresults, msgh);
}
static inline const char *cluashim_tostring(lua_State *L, int i) { return lua_tostring(L, i); }
static inline int cluashim_isnil(lua_State *L, int i) { return lua_isnil(L, i); }
static inline int cluashim_isnoneornil(lua_State *L, int i) { return lua_isnoneornil(L, i); }
static inline int cluashim_istable(lua_State *L, int i) { return lua_istable(L, i); }
static inline int cluashim_isfunction(lua_State *L, int i) { return lua_isfunction(L, i); }
static inline void cluashim_insert(lua_State *L, int i) { lua_insert(L, i); }
static inline void cluashim_remove(lua_State *L, int i) { lua_remove(L, i); }
static inline void cluashim_replace(lua_State *L, int i) { lua_replace(L, i); }
static inline void cluashim_pushcfunction(lua_State *L, lua_CFunction f) { lua_pushcfunction(L, f); }
static inline void cluashim_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
static inline int cluashim_getmetatable(lua_State *L, const char *tname) { return luaL_getmetatable(L, tname); }
static inline void *cluashim_newuserdata(lua_State *L, size_t size) { return lua_newuserdatauv(L, size, 0); }
static inline void **cluashim_extraspace(lua_State *L) { return (void **)lua_getextraspace(L); }
static inline int cluashim_loadbuffer(lua_State *L, const char *buff, size_t size, const char *name) {
    return luaL_loadbufferx(L, buff, size, name, "t");
}
static inline int cluashim_loadfile(lua_State *L, const char *filename) { return luaL_loadfilex(L, filename, "t"); }
static inline const char *cluashim_release_string(void) { return LUA_RELEASE; }
static inline const char *cluashim_typename(lua_State *L, int i) { return luaL_typename(L, i); }
static inline int cluashim_multret(void) { return LUA_MULTRET; }
static inline int cluashim_noref(void) { return LUA_NOREF; }
static inline int cluashim_refnil(void) { return LUA_REFNIL; }
/** An incremental GC step as if `kilobytes` had been allocated (lua_gc is variadic: Swift cannot call it). */
static inline void cluashim_gcstep(lua_State *L, int kilobytes) { (void)lua_gc(L, LUA_GCSTEP, kilobytes); }

/* ---- the trampoline and boxes ---- */

/** Pushes a Lua C closure that calls `function(L, object)`; the closure keeps a box owning `object`
 *  (released through `release` when the closure is collected). */
void cluashim_pushfunction(lua_State *L, cluashim_Function function, void *object, cluashim_Release release);

/** Pushes a new box userdata owning `object` (no metatable set: the caller sets the type's metatable). */
void cluashim_pushbox(lua_State *L, void *object, cluashim_Release release);

/** The object of the box at `index` if it is a userdata with the metatable registered as `tname` (NULL when
 *  not such a box, or released). Sets `*isbox` to 1 when the value is such a box (even released). */
void *cluashim_boxobject(lua_State *L, int index, const char *tname, int *isbox);

/** Takes the object out of the box at `index` (metatable `tname`): returns it and leaves NULL behind, so a
 *  second release is a no-op (liolib's idempotent close). The caller releases what it receives. */
void *cluashim_boxtake(lua_State *L, int index, const char *tname);

/** lua.c's msghandler: turns the error object into a string (via __tostring, else "(error object is a %s
 *  value)") and appends a traceback. Install it below a function before cluashim_pcall. */
int cluashim_msghandler(lua_State *L);

/** lua.c's SIGINT answer (laction/lstop): sets a hook on `L` that raises "interrupted!" at the next Lua
 *  instruction, call or return. Safe to call from another thread or a signal handler (lua_sethook is). */
void cluashim_interrupt(lua_State *L);

/** Removes a pending cluashim_interrupt hook from `L` (another hook stays): a blocking call that already
 *  answered the Ctrl-C with its own "interrupted!" error delivers the interruption once, not twice. */
void cluashim_clear_interrupt(lua_State *L);

/** lua.c's laction, for the command-line runner: installs a SIGINT handler (sigaction, at once) that, on the
 *  first Ctrl-C, restores the default action (a second Ctrl-C kills), calls cluashim_interrupt(L) and writes
 *  one byte to `notify_fd` (-1: none) so a thread can wake a blocking wait. SIGINT is unblocked for the caller.
 *  Process-wide, as signals are. Uninstall before closing `L`. */
void cluashim_sigint_install(lua_State *L, int notify_fd);

/** Restores SIGINT's default action and forgets the state and descriptor. */
void cluashim_sigint_uninstall(void);

/* ---- budgets (docs/lua-api.md "Hooks under load") ---- */

/** A new state whose allocator counts its memory and, while Lua code runs under cluashim_pcall_limited (not
 *  while Swift code runs: Swift's API calls never fail for the limit), refuses to go beyond `memory_limit`
 *  bytes (0: no limit), so the code gets a "not enough memory" error. NULL when out of memory. */
lua_State *cluashim_newstate(size_t memory_limit);

/** lua_close, then frees what cluashim_newstate allocated. */
void cluashim_closestate(lua_State *L);

/** Bytes the state holds now. */
size_t cluashim_memory_used(lua_State *L);

/** Starts a time budget: once `seconds` have passed, the Lua code running on `L` or `main` raises `what`
 *  (checked every 1000 instructions by a count hook, which a pending interruption takes precedence over). */
void cluashim_budget_arm(lua_State *L, lua_State *main, double seconds, const char *what);

/** Ends the time budget; returns its deadline (0 when it expired, i.e. the error was raised). */
double cluashim_budget_disarm(lua_State *L, lua_State *main);

/** lua_pcall with the memory limit enforced while the called code runs. */
int cluashim_pcall_limited(lua_State *L, int nargs, int nresults, int msgh);

#endif
