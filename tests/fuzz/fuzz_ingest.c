/* Fuzz target: the analysis side's readers on hostile input. The bytes are
 * a file given to ingest (an EVE file or, with the segment magic, a
 * segment) imported into a fresh in-memory store; then the report model is
 * built and written as JSON and HTML, so whatever got in is also read back
 * out. The one-pass JSON reader sees every line. Anything else is read as
 * a gateway log (with a site when the size is odd), its records summed into
 * the log tables with the cloud catalogue and the built-in name lists, and
 * reported too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/ingest.h"
#include "report/render.h"
#include "util/jread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/fuzz_ingest.%d", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);

    /* the reader alone, on the whole input as one value */
    jr_doc d;
    jr_init(&d, 512);
    if (jr_parse(&d, (const char *)data, size) == 0) {
        char buf[64];
        jr_path_str(&d, "alert.signature", buf, sizeof buf);
        jr_path_i64(&d, "flow.pkts_toserver", 0);
    }
    jr_free(&d);

    char err[256];
    mm_db *db = mm_db_open(":memory:", err, sizeof err);
    if (!db)
        abort();
    static mm_catalog *cat;
    static mm_detect *lists;
    static bool once;
    if (!once) {
        once = true;
        cat = mm_catalog_open(NULL, err, sizeof err);   /* NULL: no shadow IT */
        mm_detect_config dc;
        memset(&dc, 0, sizeof dc);
        lists = mm_detect_new(&dc, NULL, NULL, err, sizeof err);
    }
    mm_ingest_cfg cfg = {.site = (size & 1) ? "fuzz" : NULL, .quiet = true, .cat = cat,
                         .lists = lists, .log_tz = "UTC"};
    mm_ingest *in = mm_ingest_new(db, &cfg, err, sizeof err);
    if (!in)
        abort();
    if (mm_ingest_path(in, path, err, sizeof err) < 0)
        abort();   /* the store itself must never fail on input */
    mm_ingest_free(in);
    rp_model m;
    if (rp_model_build(&m, db, 0, 0, "Asia/Tokyo", err, sizeof err) == 0) {
        char *out = NULL;
        size_t n = 0;
        FILE *mf = open_memstream(&out, &n);
        rp_opts o = {-1, (int)(size & 2) >> 1, NULL};
        rp_json(mf, &m, &o);
        rp_html(mf, &m, &o);
        if (m.nsite) {
            o.site = 0;
            rp_html(mf, &m, &o);
        }
        fclose(mf);
        free(out);
    }
    rp_model_free(&m);
    mm_db_close(db);
    unlink(path);
    return 0;
}
