/* Fuzz target: Sysinternals Autoruns exports (ioc/autoruns.c, over
 * ioc/evtext.c) and the sweep's matching of their entries. Byte 0: the
 * size of the pieces the rest is fed in (1 to 256); the rest is the file.
 * Every field of an entry must be a NUL-ended string; the counts must agree
 * with the rows handed over. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ioc/autoruns.h"
#include "ioc/match.h"
#include "ioc/sweep.h"

static uint64_t fz_rows, fz_touch;

static int on_row(void *u, const mm_autorun *a)
{
    (void)u;
    fz_rows++;
    const char *f[] = {a->time,   a->location, a->entry,   a->enabled, a->category,
                       a->profile, a->description, a->signer, a->company, a->image,
                       a->version, a->launch, a->md5, a->sha1, a->sha256};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (!f[i])
            abort();
        fz_touch += strlen(f[i]);
    }
    if (a->line == 0)
        abort();
    return 0;
}

static void on_bad(void *u, uint64_t line, const char *why)
{
    (void)u;
    if (!why || !why[0] || line == 0)
        abort();
}

static void on_hit(void *u, const mm_sweep_hit *h)
{
    (void)u;
    fz_touch += strlen(h->where) + strlen(h->value) + (h->sha256 ? strlen(h->sha256) : 0);
}

static mm_iocmatch *matcher(void)
{
    static mm_iocmatch *m;
    if (m)
        return m;
    m = mm_iocmatch_new();
    static const struct { mm_ioc_type t; const char *v; } ind[] = {
        {IOC_REGKEY, "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run"},
        {IOC_FILENAME, "evil.exe"},
        {IOC_FILENAME, "x"},
        {IOC_SHA256, "abababababababababababababababababababababababababababababababab"},
        {IOC_MD5, "abababababababababababababababab"},
    };
    for (size_t i = 0; m && i < sizeof ind / sizeof ind[0]; i++) {
        mm_ioc c = {.type = ind[i].t, .value = ind[i].v, .set = "fz", .confidence = -1,
                    .to_ids = true};
        if (mm_iocmatch_add(m, &c) != 0)
            abort();
    }
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t piece = (size_t)data[0] + 1;
    data++;
    size--;
    fz_rows = 0;
    mm_autoruns_sink s = {on_row, on_bad, NULL};
    mm_autoruns *a = mm_autoruns_new(&s);
    if (!a)
        return 0;
    int rc = 0;
    for (size_t i = 0; i < size && rc == 0; i += piece)
        rc = mm_autoruns_feed(a, data + i, size - i < piece ? size - i : piece);
    mm_autoruns_stats st;
    int rc2 = mm_autoruns_end(a, &st);
    mm_autoruns_free(a);
    if (rc != 0 && rc != 1)
        abort();
    if (rc == 0 && rc2 == 0 && st.rows != fz_rows)
        abort();
    mm_sweep_opts o = {.on_hit = on_hit};
    mm_sweep_stats ss = {0};
    mm_sweep_evidence_mem("a.csv", data, size, matcher(), &o, &ss);
    return 0;
}
