/*
 * html_int.h - the pieces of the HTML report that its sections share
 * (html.c writes the page and the sensor's sections, html_logs.c the
 * gateway-log section).
 */
#ifndef MM_REPORT_HTML_INT_H
#define MM_REPORT_HTML_INT_H

#include "report/render.h"

typedef struct H {
    FILE *f;
    const rp_model *m;
    const rp_opts *o;
    int lang;
} H;

/* Text with <, >, &, quotes escaped. */
void h_esc(H *h, const char *s);
/* A phrase of the page (rp_t), escaped. */
void h_T(H *h, const char *key);
/* A table's header row: the phrases of keys. */
void h_th(H *h, const char *const *keys, size_t n);
/* A number with thousands separators. */
void h_num(H *h, int64_t v);
/* A local date and time. */
void h_when(H *h, int64_t us);
/* A country's name in the report's language ("Unknown" for XX). */
const char *h_country(H *h, const char *cc);
/* What happened, why it matters, what to do (an explanation's body). */
struct mm_explain;
void h_explain(H *h, const struct mm_explain *e);
/* "What to do" steps, one per line of list, as an ordered list. */
void h_steps(H *h, const char *list);
/* The line under a table cut at shown rows of n. */
void h_more(H *h, size_t n, size_t shown);
/* The gateway-log section of a company report, and of the survey
 * (html_logs.c). */
void h_logs(H *h, const rp_site *s);
void h_logs_survey(H *h);
void h_exposure(H *h, const rp_site *s);
/* The web-server files section (html_host.c). */
void h_hostfiles(H *h, const rp_site *s);
void h_exposure_survey(H *h);

#endif
