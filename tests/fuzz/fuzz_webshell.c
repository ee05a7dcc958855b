/* Fuzz target: the WebShell classifier of `mimamori watch` on arbitrary
 * bytes with an arbitrary file name (byte 0: the name's length, then the
 * name, then the content); byte 0 of 255: the rest is a baseline state
 * file, read back by mw_state_load. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "watch/baseline.h"
#include "watch/webshell.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] == 255) {
        static char path[64];
        if (!path[0])
            snprintf(path, sizeof path, "/tmp/fuzz_webshell_state.%d", (int)getpid());
        FILE *f = fopen(path, "wb");
        if (!f)
            return 0;
        fwrite(data + 1, 1, size - 1, f);
        fclose(f);
        mw_root r[2] = {{.path = "/srv/www"}, {.path = "/var/www/html"}};
        char err[256];
        if (mw_state_load(path, r, 2, err, sizeof err) == 1) {
            for (int i = 0; i < 2; i++) {
                /* what was read compares with itself as nothing */
                size_t n = 0;
                for (size_t k = 0; k < r[i].set.n; k++)
                    n += mw_set_find(&r[i].set, mw_path(&r[i].set, &r[i].set.e[k])) != NULL;
                if (n != r[i].set.n)
                    abort();
            }
        }
        mw_set_free(&r[0].set);
        mw_set_free(&r[1].set);
        return 0;
    }
    size_t nl = data[0];
    if (nl > size - 1)
        nl = size - 1;
    char *name = malloc(nl + 1);
    if (!name)
        return 0;
    memcpy(name, data + 1, nl);
    name[nl] = 0;
    /* the content in a buffer of its own size, so reads past it are caught */
    size_t cl = size - 1 - nl;
    uint8_t *content = malloc(cl ? cl : 1);
    if (!content) {
        free(name);
        return 0;
    }
    memcpy(content, data + 1 + nl, cl);
    mw_class c;
    mw_classify(name, content, cl, &c);
    if (c.kind < MW_K_NONE || c.kind > MW_K_WEBSHELL)
        abort();
    if ((c.kind == MW_K_NONE) != (c.severity == 0) || c.severity > 3)
        abort();
    if (c.kind != MW_K_NONE && !mw_class_sig(c.kind))
        abort();
    for (int b = 0; b < MW_R__COUNT; b++)
        if ((c.reasons & (1u << b)) && !mw_reason_text(b)[0])
            abort();
    free(content);
    free(name);
    return 0;
}
