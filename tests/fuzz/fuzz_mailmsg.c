/* Fuzz target: mail messages (src/logs/mailmsg.c) through GMime. Byte 0
 * picks how the rest is read: bit 0 as an mbox (else one message), bit 1
 * with a small size limit (4 KiB: the too-large path). Every event must
 * be one JSON object that ingest's reader (util/jread, 4096 tokens) takes,
 * with event_type "mail" and a timestamp it can read; the head test runs
 * on the same bytes. */
#include <stdlib.h>
#include <string.h>

#include "logs/mailmsg.h"
#include "util/jread.h"
#include "util/util.h"

static jr_doc doc;

static int on_event(void *u, const char *line, size_t len)
{
    (void)u;
    if (len < 2 || line[0] != '{' || line[len - 1] != '}')
        abort();
    if (jr_parse(&doc, line, len) != 0)
        abort();
    char ts[64];
    int64_t us;
    if (!jr_path_str(&doc, "timestamp", ts, sizeof ts) || !mm_parse_iso_ts(ts, &us))
        abort();
    if (!jr_eq(&doc, jr_path(&doc, "event_type"), "mail"))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    if (!init) {
        jr_init(&doc, 0);
        init = true;
    }
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    data++;
    size--;
    (void)mm_mailmsg_is_mail("fuzz", data, size < 4096 ? size : 4096);
    mm_mailmsg_opts o = {.site = "fz", .max_message = (mode & 2) ? 4096 : 0};
    mm_mailmsg_stats st = {0};
    char err[256];
    mm_mailmsg_read_mem(data, size, (mode & 1) ? MM_MAIL_MBOX : MM_MAIL_EML, "fuzz", 0, &o,
                        on_event, NULL, &st, err, sizeof err);
    return 0;
}
