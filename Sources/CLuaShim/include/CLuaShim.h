#ifndef CLUASHIM_H
#define CLUASHIM_H
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
/* Placeholder; LuaBridge's issue fills this in. */
int cluashim_version(void);
#endif
