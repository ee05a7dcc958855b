/*
 * pdf_int.h - the pieces of the PDF report that its sections share (pdf.c
 * draws the pages and the sensor's sections, pdf_logs.c the gateway-log
 * section). Layout is a cursor going down an A4 page.
 */
#ifndef MM_REPORT_PDF_INT_H
#define MM_REPORT_PDF_INT_H

#include <cairo.h>
#include <stdbool.h>

#include "report/render.h"

#define PW 595.0      /* A4 in points */
#define PH 842.0
#define MX 48.0
#define MTOP 50.0
#define MBOT 60.0
#define CW (PW - 2 * MX)

typedef struct P {
    cairo_surface_t *surf;
    cairo_t *cr;
    double y;
    int page, lang;
    const rp_model *m;
    const rp_opts *o;
    const char *footer;
} P;

/* Height of a text block, and the block drawn at (x, y): its height. */
double p_text_h(P *p, const char *txt, double size, bool bold, double width);
double p_text_at(P *p, const char *txt, double size, bool bold, double x, double y,
                 double width);
/* A new page when h more points would not fit. */
void p_ensure(P *p, double h);
void p_heading(P *p, const char *txt, int level);
void p_para(P *p, const char *txt, double size, bool bold);
/* What happened, why it matters, what to do (an explanation's body). */
struct mm_explain;
void p_explain(P *p, const struct mm_explain *e);
/* "What to do" steps, one per line of list, numbered, at x. */
void p_steps(P *p, const char *list, double x);
/* One table row; widths are fractions of the content width. */
void p_row(P *p, int n, const double *wf, const char *const *cells, bool header);
void p_gap(P *p, double h);
void p_fmt_num(int64_t v, char *o, size_t n);
const char *p_country(P *p, const char *cc);
void p_when(const P *p, int64_t us, char *o, size_t n);
/* The line under a table cut at shown rows of n. */
void p_more(P *p, size_t n, size_t shown);
/* The gateway-log section of a company report (pdf_logs.c). */
void p_logs(P *p, const rp_site *s);
void p_logs_survey(P *p);
void p_exposure(P *p, const rp_site *s);
/* The web-server files section (pdf_host.c). */
void p_hostfiles(P *p, const rp_site *s);
void p_exposure_survey(P *p);

#endif
