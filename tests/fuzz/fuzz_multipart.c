/* Fuzz target: the multipart/form-data parser (HTTP uploads). Input: byte
 * 0 the boundary's length (1-70), then the boundary, then the body. The
 * body is fed in slices whose sizes the input's bytes pick, and what the
 * streaming parser hands on must be what the one-shot split of the same
 * bytes finds: same files, same bytes (a differential check). */
#include <stdlib.h>
#include <string.h>

#include "proto/multipart.h"

#define MAXP 64
#define MAXD 65536

typedef struct got {
    int n;
    uint32_t len[MAXP], name_len[MAXP];
    uint8_t *data[MAXP];
    char name[MAXP][256];
    bool open, over;            /* over: more parts than kept (not compared) */
} got;

static void on_start(void *ctx, const char *name, size_t len)
{
    got *g = ctx;
    if (g->open)
        abort();        /* a part starts inside another */
    g->open = true;
    if (g->n == MAXP) {
        g->over = true;
        return;
    }
    if (len > 255)
        len = 255;
    memcpy(g->name[g->n], name, len);
    g->name_len[g->n] = (uint32_t)len;
    g->len[g->n] = 0;
    g->data[g->n] = malloc(MAXD);
}

static void on_data(void *ctx, const uint8_t *d, uint32_t n)
{
    got *g = ctx;
    if (!g->open || !d)
        abort();
    if (g->n == MAXP)
        return;
    if (g->len[g->n] + n > MAXD)
        abort();
    memcpy(g->data[g->n] + g->len[g->n], d, n);
    g->len[g->n] += n;
}

static void on_end(void *ctx, bool complete)
{
    (void)complete;
    got *g = ctx;
    if (!g->open)
        abort();
    g->open = false;
    if (g->n < MAXP)
        g->n++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > MAXD)
        return 0;
    size_t bl = data[0] % MM_MPART_BOUNDARY_MAX + 1;
    if (size < 1 + bl)
        return 0;
    char b[MM_MPART_BOUNDARY_MAX + 1];
    memcpy(b, data + 1, bl);
    b[bl] = 0;
    if (strlen(b) != bl)
        return 0;
    /* the Content-Type reader on the same bytes */
    char ct[MM_MPART_BOUNDARY_MAX + 1];
    mm_mpart_boundary((const char *)data, size, ct);
    const uint8_t *body = data + 1 + bl;
    uint32_t n = (uint32_t)(size - 1 - bl);
    got g;
    memset(&g, 0, sizeof g);
    mm_mpart_cb cb = {on_start, on_data, on_end, &g};
    mm_mpart *m = malloc(mm_mpart_size());
    mm_mpart_init(m, b, &cb);
    uint32_t at = 0, k = 0;
    while (at < n) {
        uint32_t s = (uint32_t)(body[k++ % n] % 97) + 1;
        if (s > n - at)
            s = n - at;
        mm_mpart_feed(m, body + at, s);
        at += s;
    }
    mm_mpart_finish(m, true);
    free(m);
    mm_mpart_piece pc[MAXP];
    int np = mm_mpart_split(body, n, b, pc, MAXP);
    if (np != g.n && !(g.over && np == MAXP))
        abort();
    for (int i = 0; i < np; i++) {
        uint32_t nl = pc[i].name_len > 255 ? 255 : pc[i].name_len;
        if (nl != g.name_len[i] || memcmp(pc[i].name, g.name[i], nl) != 0 ||
            pc[i].data_len != g.len[i] || memcmp(pc[i].data, g.data[i], g.len[i]) != 0)
            abort();
        free(g.data[i]);
    }
    return 0;
}
