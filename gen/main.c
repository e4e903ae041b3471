/* anx: the Anunix host generator. Everything is in cli.c and below. */
#include "anx.h"

int main(int argc, char **argv)
{
    return anx_main(argc, argv);
}
