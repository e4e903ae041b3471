/* anx_split_args of <anx/lib.h>: shell-style word splitting in place. */
#include <anx/lib.h>

int anx_split_args(char *line, char **argv, int max, const char **err)
{
    char *r = line, *w = line;
    int argc = 0;

    *err = NULL;
    if (max < 1) {
        *err = "too many arguments";
        return -1;
    }
    for (;;) {
        while (*r == ' ' || *r == '\t' || *r == '\r' || *r == '\n')
            r++;
        if (!*r)
            break;
        if (argc >= max - 1) {
            *err = "too many arguments";
            return -1;
        }
        argv[argc++] = w;
        char quote = 0;
        for (;;) {
            char c = *r;
            if (!c) {
                if (quote) {
                    *err = "unterminated quote";
                    return -1;
                }
                break;
            }
            r++;
            if (quote) {
                if (c == quote) {
                    quote = 0;
                    continue;
                }
                if (c == '\\' && quote == '"' && (*r == '"' || *r == '\\')) {
                    *w++ = *r++;
                    continue;
                }
                *w++ = c;
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
                break;
            if (c == '"' || c == '\'') {
                quote = c;
                continue;
            }
            if (c == '\\' && *r) {
                *w++ = *r++;
                continue;
            }
            *w++ = c;
        }
        /* w trails r: after a separator w <= r - 1, at the end w <= r,
         * so the terminator never overwrites unread input */
        *w++ = 0;
    }
    argv[argc] = NULL;
    return argc;
}
