/* libedit's readline interface (Debian: libedit-dev, pkg-config libedit), for `dicomlua -i`. */
#include <stdio.h>
#include <readline.h>
#include <history.h>
