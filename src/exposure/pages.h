/*
 * pages.h - the self-check service's pages, in Japanese and English: the
 * terms with the port list, the page while a check runs, the result with
 * what to do for each open port, and the error pages. Plain HTML with one
 * style sheet (/static/mm.css); no script, no inline style, nothing from
 * another site.
 */
#ifndef MM_EXPOSURE_PAGES_H
#define MM_EXPOSURE_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exposure/ports.h"
#include "exposure/probe.h"
#include "web/buf.h"

extern const char mm_selfpage_css[];

/* The terms and the form. link: a company link's token ("" none); company:
 * its name ("" none); csrf: the form's token. */
void mm_selfpage_terms(mm_web_buf *b, bool ja, const mm_portlist *offered, const char *csrf,
                       const char *link, const char *company, const char *addr);
/* While the check runs: refreshes itself every second. */
void mm_selfpage_running(mm_web_buf *b, bool ja, const char *addr, size_t nports);
/* The result: per port its state in plain words, what to do when open. */
void mm_selfpage_result(mm_web_buf *b, bool ja, const char *addr, const uint16_t *ports,
                        const uint8_t *states, size_t n, const char *company);
/* A short page with a title and one sentence. */
void mm_selfpage_message(mm_web_buf *b, bool ja, const char *title_key, const char *text_key);

#endif
