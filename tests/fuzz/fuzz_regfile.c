/* Fuzz target: reg export files (ioc/regfile.c, over ioc/evtext.c) and the
 * sweep's matching of what they hold. Byte 0: the size of the pieces the
 * rest is fed in (1 to 256), so that UTF-16 units, surrogate pairs and
 * continuations split across pieces are exercised; the rest is the file.
 * Every key and value handed over must be well formed (strings NUL-ended,
 * text within its length, names and keys NUL-ended); the counts must
 * agree with what was handed over. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ioc/match.h"
#include "ioc/regfile.h"
#include "ioc/sweep.h"

static uint64_t fz_items, fz_keys, fz_touch;

static int on_item(void *u, const mm_regval *v)
{
    (void)u;
    fz_items++;
    if (!v->key)
        abort();
    fz_touch += strlen(v->key);
    if (v->name)
        fz_touch += strlen(v->name);
    else
        fz_keys++;
    if (v->text) {
        if (v->tlen == 0 || v->text[v->tlen - 1] != 0)
            abort();
        fz_touch += (unsigned char)v->text[0];
    } else if (v->tlen) {
        abort();
    }
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
    fz_touch += strlen(h->where) + strlen(h->value) + strlen(h->indicator);
}

static mm_iocmatch *matcher(void)
{
    static mm_iocmatch *m;
    if (m)
        return m;
    m = mm_iocmatch_new();
    static const struct { mm_ioc_type t; const char *v; } ind[] = {
        {IOC_REGKEY, "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run"},
        {IOC_REGKEY, "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\evil"},
        {IOC_REGKEY, "HKEY_LOCAL_MACHINE\\S"},
        {IOC_FILENAME, "evil.exe"},
        {IOC_FILENAME, "a"},
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
    fz_items = fz_keys = 0;
    mm_regfile_sink s = {on_item, on_bad, NULL};
    mm_regfile *r = mm_regfile_new(&s);
    if (!r)
        return 0;
    int rc = 0;
    for (size_t i = 0; i < size && rc == 0; i += piece)
        rc = mm_regfile_feed(r, data + i, size - i < piece ? size - i : piece);
    mm_regfile_stats st;
    int rc2 = mm_regfile_end(r, &st);
    mm_regfile_free(r);
    if (rc != 0 && rc != 1)
        abort();
    if (rc == 0 && rc2 != 0 && rc2 != 1)
        abort();
    if (rc == 0 && rc2 == 0 && (st.keys != fz_keys || st.keys + st.values != fz_items))
        abort();
    /* the same bytes through the sweep's matching */
    mm_sweep_opts o = {.on_hit = on_hit};
    mm_sweep_stats ss = {0};
    mm_sweep_evidence_mem("f.reg", data, size, matcher(), &o, &ss);
    return 0;
}
