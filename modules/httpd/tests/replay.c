/*
 * replay.c - run fuzz_http.c's target without libFuzzer (gcc builds).
 *
 *   replay FILE|DIR...            run every input once
 *   replay -m N -s SEED DIR...    also run N random mutations of the inputs
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static uint8_t *seeds[4096];
static size_t seed_len[4096], nseeds;

static void add_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *b;
    long n;
    if (!f || nseeds >= 4096) {
        if (f)
            fclose(f);
        return;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) == (size_t)n) {
        seeds[nseeds] = b;
        seed_len[nseeds++] = (size_t)n;
    } else {
        free(b);
    }
    fclose(f);
}

static void add_path(const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    char sub[4096];
    if (stat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        add_file(path);
        return;
    }
    d = opendir(path);
    if (!d)
        return;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        add_path(sub);
    }
    closedir(d);
}

static uint64_t rng;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const char *const dict[] = {
    "\r\n",
    "\r",
    "\n",
    " ",
    "\t",
    ":",
    ";",
    ",",
    "\"",
    "\\",
    "=",
    "0\r\n\r\n",
    "HTTP/1.1",
    "HTTP/1.0",
    "GET ",
    "POST ",
    "CONNECT ",
    "PRI ",
    "Content-Length: ",
    "Transfer-Encoding: chunked",
    "Transfer-Encoding: ",
    "Connection: close",
    "Connection: keep-alive",
    "Connection: upgrade",
    "Upgrade: ws",
    "chunked",
    "ffffffffffffffff",
    "99999999999999999999",
    "\r\n\r\n",
    "\x00",
    "\x7f",
    "\xff",
};

static size_t mutate(uint8_t *b, size_t n, size_t cap)
{
    int ops = 1 + (int)(rnd() % 4);
    while (ops--) {
        size_t pos = n ? rnd() % (n + 1) : 0;
        switch (rnd() % 6) {
        case 0: /* flip a byte */
            if (n)
                b[pos % n] ^= (uint8_t)(1u << (rnd() % 8));
            break;
        case 1: /* random byte */
            if (n)
                b[pos % n] = (uint8_t)rnd();
            break;
        case 2: { /* delete a span */
            size_t k = n ? rnd() % 8 : 0;
            if (pos + k > n)
                k = n - pos;
            memmove(b + pos, b + pos + k, n - pos - k);
            n -= k;
            break;
        }
        case 3: { /* insert a dictionary token */
            const char *t = dict[rnd() % (sizeof dict / sizeof dict[0])];
            size_t k = strlen(t) ? strlen(t) : 1;
            if (n + k > cap)
                break;
            memmove(b + pos + k, b + pos, n - pos);
            memcpy(b + pos, t, k);
            n += k;
            break;
        }
        case 4: { /* duplicate a span (pipelining, repeated headers) */
            static uint8_t tmp[1 << 16];
            size_t s = n ? rnd() % n : 0, k = n ? rnd() % (n - s + 1) : 0;
            if (n + k > cap || k > sizeof tmp)
                break;
            memcpy(tmp, b + s, k);
            memmove(b + pos + k, b + pos, n - pos);
            memcpy(b + pos, tmp, k);
            n += k;
            break;
        }
        default: /* truncate */ n = pos; break;
        }
    }
    return n;
}

int main(int argc, char **argv)
{
    long mutations = 0;
    size_t i;
    int a;
    static uint8_t buf[1 << 16];

    rng = 88172645463325252ULL;
    for (a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "-m") && a + 1 < argc)
            mutations = atol(argv[++a]);
        else if (!strcmp(argv[a], "-s") && a + 1 < argc)
            rng = strtoull(argv[++a], NULL, 0) | 1;
        else
            add_path(argv[a]);
    }
    for (i = 0; i < nseeds; i++)
        LLVMFuzzerTestOneInput(seeds[i], seed_len[i]);
    for (long m = 0; m < mutations && nseeds; m++) {
        size_t s = rnd() % nseeds, n = seed_len[s];
        if (n > sizeof buf / 2)
            n = sizeof buf / 2;
        memcpy(buf, seeds[s], n);
        n = mutate(buf, n, sizeof buf);
        LLVMFuzzerTestOneInput(buf, n);
    }
    printf("replay: %zu inputs, %ld mutations, no failure\n", nseeds, mutations);
    return 0;
}
