/*
 * pdf.c - PDF output (being written: cairo + pango).
 */
#include "report/render.h"

int rp_pdf(const char *path, const rp_model *m, const rp_opts *o, char *err, size_t errlen)
{
    (void)path;
    (void)m;
    (void)o;
    snprintf(err, errlen, "PDF output is not available yet; use --format html or json");
    return -1;
}
