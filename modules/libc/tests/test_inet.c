/* inet_aton, inet_pton, inet_ntop against glibc's: a list of tricky
 * inputs (every accepted and rejected form we know of), random dotted
 * and colon texts, and random addresses formatted and read back. */
#include <arpa/inet.h>
#include <errno.h>

#include "libc_test.h"

int libc_inet_aton(const char *s, struct in_addr *out);
unsigned libc_inet_addr(const char *s);
char *libc_inet_ntoa(struct in_addr a);
int libc_inet_pton(int af, const char *src, void *dst);
const char *libc_inet_ntop(int af, const void *src, char *dst, socklen_t size);

static void check_text(const char *s)
{
    struct in_addr a = {0x5a5a5a5a}, b = {0x5a5a5a5a};
    int r1 = libc_inet_aton(s, &a), r2 = inet_aton(s, &b);
    CHECK(r1 == r2 && (!r1 || a.s_addr == b.s_addr), "inet_aton(\"%s\"): %d %08x, glibc %d %08x", s, r1, a.s_addr,
          r2, b.s_addr);
    unsigned char m4[4] = {0}, g4[4] = {0}, m6[16] = {0}, g6[16] = {0};
    r1 = libc_inet_pton(AF_INET, s, m4);
    r2 = inet_pton(AF_INET, s, g4);
    CHECK(r1 == r2 && !memcmp(m4, g4, 4), "inet_pton(AF_INET, \"%s\"): %d, glibc %d", s, r1, r2);
    r1 = libc_inet_pton(AF_INET6, s, m6);
    r2 = inet_pton(AF_INET6, s, g6);
    CHECK(r1 == r2 && !memcmp(m6, g6, 16), "inet_pton(AF_INET6, \"%s\"): %d, glibc %d", s, r1, r2);
    if (r2 == 1) {                     /* and back */
        char t1[INET6_ADDRSTRLEN], t2[INET6_ADDRSTRLEN];
        CHECK(libc_inet_ntop(AF_INET6, g6, t1, sizeof t1) && inet_ntop(AF_INET6, g6, t2, sizeof t2) &&
                  !strcmp(t1, t2), "inet_ntop of \"%s\": \"%s\", glibc \"%s\"", s, t1, t2);
    }
}

int main(void)
{
    static const char *const tricky[] = {
        "1.2.3.4", "0.0.0.0", "255.255.255.255", "256.0.0.1", "1.2.3", "1.2", "1", "0x7f.1", "0x7f000001",
        "017700000001", "127.1", "1.2.3.4.5", "1..2.3", ".1.2.3", "1.2.3.", "01.2.3.4", "1.2.3.04", "08.1.1.1",
        "0x", "0x1g", "1.2.3.4 ", "1.2.3.4 junk", "1.2.3.4\tx", "1.2.3.4x", " 1.2.3.4", "+1.2.3.4", "-1",
        "4294967295", "4294967296", "1.16777215", "1.16777216", "1.2.65535", "1.2.65536", "1.256.1", "0xff.0xff.0xff.0xff",
        "00", "0", "", "a", "1.2.3.-4", "99999999999999999999", "1.2.3.4\n",
        "::", "::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
        "1::2:3:4:5:6:7", "1::2::3", ":::", ":1::", "1:", ":1", "::ffff:1.2.3.4", "::1.2.3.4", "1:2:3:4:5:6:1.2.3.4",
        "1:2:3:4:5:6:7:1.2.3.4", "::ffff:1.2.3", "::ffff:01.2.3.4", "::ffff:256.1.1.1", "12345::", "fffff::",
        "FFFF::abcd", "0:0:0:0:0:0:0:0", "::0:0", "1:2:3:4:5:6:7:8%eth0", "fe80::1%1", "[::1]", "1::1.2.3.4.5",
        "::1.2.3.4:5", "0000:0000::", "00000::", "1::2:", "a:b:c:d:e:f:1.2.3.4", "::ffff:1.2.3.4x",
    };
    for (size_t i = 0; i < sizeof tricky / sizeof *tricky; i++)
        check_text(tricky[i]);
    /* random texts from an alphabet that makes near-misses likely */
    static const char alpha[] = "0123456789abcdefx.:.: ";
    for (int n = 0; n < 200000; n++) {
        char s[24];
        int len = 1 + (int)(t_rand() % 22);
        for (int i = 0; i < len; i++)
            s[i] = alpha[t_rand() % (sizeof alpha - 1)];
        s[len] = 0;
        check_text(s);
    }
    /* random addresses through inet_ntop and back, with runs of zeros */
    for (int n = 0; n < 100000; n++) {
        unsigned char a6[16];
        uint64_t r = t_rand(), z = t_rand();
        for (int i = 0; i < 16; i++)
            a6[i] = (z >> (i / 2 * 4)) & 3 ? (unsigned char)(r >> (i * 4)) : 0;
        if (n % 7 == 0) {              /* IPv4-mapped and -compatible forms */
            memset(a6, 0, 12);
            if (n % 2)
                a6[10] = a6[11] = 0xff;
        }
        char t1[INET6_ADDRSTRLEN], t2[INET6_ADDRSTRLEN];
        CHECK(libc_inet_ntop(AF_INET6, a6, t1, sizeof t1) && inet_ntop(AF_INET6, a6, t2, sizeof t2) && !strcmp(t1, t2),
              "inet_ntop: \"%s\", glibc \"%s\"", t1, t2);
        check_text(t1);
        struct in_addr a4 = {(uint32_t)r};
        CHECK(!strcmp(libc_inet_ntop(AF_INET, &a4, t1, sizeof t1), inet_ntop(AF_INET, &a4, t2, sizeof t2)),
              "inet_ntop AF_INET: \"%s\", glibc \"%s\"", t1, t2);
        check_text(t1);
    }
    char small[8];
    unsigned char loop[16] = {[15] = 1};
    CHECK(libc_inet_ntop(AF_INET6, loop, small, 3) == NULL && libc_errno == ENOSPC, "too small: ENOSPC");
    CHECK(libc_inet_ntop(AF_INET6, loop, small, 4) && !strcmp(small, "::1"), "exactly enough");
    CHECK(libc_inet_pton(12345, "1.2.3.4", small) == -1 && libc_errno == EAFNOSUPPORT, "pton: EAFNOSUPPORT");
    CHECK(libc_inet_ntop(12345, loop, small, 8) == NULL && libc_errno == EAFNOSUPPORT, "ntop: EAFNOSUPPORT");
    CHECK(libc_inet_addr("10.0.0.1") == inet_addr("10.0.0.1") && libc_inet_addr("x") == 0xffffffffu, "inet_addr");
    struct in_addr ia = {htonl(0x0a000001)};
    CHECK(!strcmp(libc_inet_ntoa(ia), "10.0.0.1"), "inet_ntoa");
    return t_done();
}
