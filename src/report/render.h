/*
 * render.h - writing a report model out: JSON (the analyst's, real company
 * names), HTML (one self-contained file, inline SVG charts) and PDF (cairo
 * and pango). site < 0: the survey across companies; else that company.
 */
#ifndef MM_REPORT_RENDER_H
#define MM_REPORT_RENDER_H

#include <stdio.h>

#include "analysis/geo.h"
#include "report/model.h"

typedef struct rp_opts {
    int site;              /* index into the model's sites, or -1 for the survey */
    int lang;              /* 0 ja, 1 en */
    mm_geo *geo;           /* for country names (may be NULL) */
    int fragment;          /* HTML: the report's element only, no document
                              around it (the dashboard's pages) */
} rp_opts;

/* The HTML report's style sheet (inline in a report file; the dashboard
 * serves it as /static/report.css). */
extern const char rp_html_css[];

int rp_json(FILE *f, const rp_model *m, const rp_opts *o);
int rp_html(FILE *f, const rp_model *m, const rp_opts *o);
/* PDF goes to a path (cairo writes the file itself). */
int rp_pdf(const char *path, const rp_model *m, const rp_opts *o, char *err, size_t errlen);
/* Frees the font caches PDF output loaded (once, before exit). */
void rp_pdf_cleanup(void);

#endif
