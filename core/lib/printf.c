/* vsnprintf/snprintf and the formatting engine of <anx/printf.h>. */
#include <anx/lib.h>
#include <anx/printf.h>

enum {
    F_LEFT = 1,     /* '-' */
    F_ZERO = 2,     /* '0' */
    F_PLUS = 4,     /* '+' */
    F_SPACE = 8,    /* ' ' */
    F_ALT = 16,     /* '#' */
};

struct sink {
    void (*out)(char, void *);
    void *ctx;
    int count;
};

static void put(struct sink *s, char c)
{
    s->out(c, s->ctx);
    s->count++;
}

static void pad(struct sink *s, char c, int n)
{
    while (n-- > 0)
        put(s, c);
}

/* One integer conversion. prec < 0: none. */
static void fmt_int(struct sink *s, unsigned long long v, bool neg, int base,
                    bool upper, int flags, int width, int prec, bool is_ptr)
{
    char digits[24];
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int nd = 0;
    char sign = 0;
    const char *prefix = "";

    while (v) {
        digits[nd++] = set[v % (unsigned)base];
        v /= (unsigned)base;
    }
    if (prec < 0 && nd == 0)
        digits[nd++] = '0';
    if (neg)
        sign = '-';
    else if (flags & F_PLUS)
        sign = '+';
    else if (flags & F_SPACE)
        sign = ' ';
    if (((flags & F_ALT) || is_ptr) && base == 16)
        prefix = upper ? "0X" : "0x";
    else if ((flags & F_ALT) && base == 8 && (nd == 0 || digits[nd - 1] != '0') && prec <= nd)
        prefix = "0";

    int zeros = prec > nd ? prec - nd : 0;
    int len = nd + zeros + (sign ? 1 : 0) + (int)strlen(prefix);
    if (prec < 0 && (flags & F_ZERO) && !(flags & F_LEFT) && width > len) {
        zeros += width - len;
        len = width;
    }
    if (!(flags & F_LEFT))
        pad(s, ' ', width - len);
    if (sign)
        put(s, sign);
    for (const char *p = prefix; *p; p++)
        put(s, *p);
    pad(s, '0', zeros);
    while (nd)
        put(s, digits[--nd]);
    if (flags & F_LEFT)
        pad(s, ' ', width - len);
}

static void fmt_str(struct sink *s, const char *str, int flags, int width, int prec)
{
    if (!str)
        str = "(null)";
    int len = (int)(prec >= 0 ? strnlen(str, (size_t)prec) : strlen(str));
    if (!(flags & F_LEFT))
        pad(s, ' ', width - len);
    for (int i = 0; i < len; i++)
        put(s, str[i]);
    if (flags & F_LEFT)
        pad(s, ' ', width - len);
}

int anx_vformat(void (*out)(char c, void *ctx), void *ctx, const char *fmt,
                va_list ap)
{
    struct sink s = { out, ctx, 0 };
    va_list args;

    va_copy(args, ap);
    while (*fmt) {
        if (*fmt != '%') {
            put(&s, *fmt++);
            continue;
        }
        const char *start = fmt++;
        int flags = 0, width = 0, prec = -1;
        for (;; fmt++) {
            if (*fmt == '-') flags |= F_LEFT;
            else if (*fmt == '0') flags |= F_ZERO;
            else if (*fmt == '+') flags |= F_PLUS;
            else if (*fmt == ' ') flags |= F_SPACE;
            else if (*fmt == '#') flags |= F_ALT;
            else break;
        }
        if (*fmt == '*') {
            width = va_arg(args, int);
            if (width < 0) {
                flags |= F_LEFT;
                width = width == (-__INT_MAX__ - 1) ? __INT_MAX__ : -width;
            }
            fmt++;
        } else {
            while (isdigit((unsigned char)*fmt) && width < 100000)
                width = width * 10 + (*fmt++ - '0');
        }
        if (*fmt == '.') {
            fmt++;
            prec = 0;
            if (*fmt == '*') {
                prec = va_arg(args, int);
                if (prec < 0)
                    prec = -1;
                fmt++;
            } else {
                while (isdigit((unsigned char)*fmt) && prec < 100000)
                    prec = prec * 10 + (*fmt++ - '0');
            }
        }
        int lng = 0;   /* -2 hh, -1 h, 1 l, 2 ll, 3 size_t/ptrdiff/intmax */
        for (;; fmt++) {
            if (*fmt == 'l') lng = lng == 1 ? 2 : 1;
            else if (*fmt == 'h') lng = lng == -1 ? -2 : -1;
            else if (*fmt == 'z' || *fmt == 't' || *fmt == 'j') lng = 3;
            else break;
        }
        char conv = *fmt;
        if (conv)
            fmt++;
        switch (conv) {
        case 'd': case 'i': {
            long long v;
            if (lng == 2) v = va_arg(args, long long);
            else if (lng == 1) v = va_arg(args, long);
            else if (lng == 3) v = (long long)va_arg(args, intptr_t);
            else v = va_arg(args, int);
            if (lng == -1) v = (short)v;
            if (lng == -2) v = (signed char)v;
            unsigned long long mag = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
            fmt_int(&s, mag, v < 0, 10, false, flags, width, prec, false);
            break;
        }
        case 'u': case 'x': case 'X': case 'o': {
            unsigned long long v;
            if (lng == 2) v = va_arg(args, unsigned long long);
            else if (lng == 1) v = va_arg(args, unsigned long);
            else if (lng == 3) v = va_arg(args, size_t);
            else v = va_arg(args, unsigned int);
            if (lng == -1) v = (unsigned short)v;
            if (lng == -2) v = (unsigned char)v;
            int base = conv == 'u' ? 10 : conv == 'o' ? 8 : 16;
            fmt_int(&s, v, false, base, conv == 'X', flags & ~(F_PLUS | F_SPACE),
                    width, prec, false);
            break;
        }
        case 'p': {
            uintptr_t v = (uintptr_t)va_arg(args, void *);
            fmt_int(&s, v, false, 16, false, flags & ~(F_PLUS | F_SPACE), width, prec, true);
            break;
        }
        case 's':
            fmt_str(&s, va_arg(args, const char *), flags, width, prec);
            break;
        case 'c': {
            char c = (char)va_arg(args, int);
            if (!(flags & F_LEFT))
                pad(&s, ' ', width - 1);
            put(&s, c);
            if (flags & F_LEFT)
                pad(&s, ' ', width - 1);
            break;
        }
        case '%':
            put(&s, '%');
            break;
        case 'f': case 'F': case 'e': case 'E': case 'g': case 'G':
            (void)va_arg(args, double);
            put(&s, '?');
            break;
        default:
            /* unknown conversion: print it as written */
            for (const char *p = start; p < fmt; p++)
                put(&s, *p);
            break;
        }
    }
    va_end(args);
    return s.count;
}

struct buf {
    char *p;
    size_t n, len;
};

static void buf_out(char c, void *ctx)
{
    struct buf *b = ctx;
    if (b->len + 1 < b->n)
        b->p[b->len] = c;
    b->len++;
}

int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
    struct buf b = { buf, n, 0 };
    int r = anx_vformat(buf_out, &b, fmt, ap);
    if (n)
        buf[b.len < n ? b.len : n - 1] = 0;
    return r;
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}
