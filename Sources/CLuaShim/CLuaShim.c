#include "CLuaShim.h"
int cluashim_version(void) { return LUA_VERSION_NUM; }
