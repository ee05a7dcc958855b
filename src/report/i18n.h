/*
 * i18n.h - the words of the reports, in Japanese and English.
 *
 * Two kinds: the fixed phrases of the page (headings, labels), looked up
 * by key; and what each family of alerts means for a company owner
 * (title, what happened, why it matters, what to do), used for alerts of
 * rules, which carry no explanation of their own. Built-in alerts use the
 * detectors' own texts (detect/explain.h).
 */
#ifndef MM_REPORT_I18N_H
#define MM_REPORT_I18N_H

#include <stdint.h>

#include "detect/explain.h"
#include "report/model.h"

/* A fixed phrase in lang (0 ja, 1 en); the key itself when unknown. */
const char *rp_t(int lang, const char *key);
/* The gateway-log phrases (i18n_logs.c), NULL when unknown; rp_t looks
 * there too. */
const char *rp_t_logs(int lang, const char *key);
/* The exposure phrases (i18n_exposure.c), NULL when unknown. */
const char *rp_t_exposure(int lang, const char *key);
/* The web-server file phrases (i18n_host.c), NULL when unknown. */
const char *rp_t_host(int lang, const char *key);
/* What a kind of log finding means (sinkhole, ddns, listed,
 * server_resolves, bypass, exec_attachment, guessing, abroad). */
const mm_explain *rp_log_explain(const char *kind);
/* Short name of a family ("リモートデスクトップ" / "Remote desktop"). */
const char *rp_family_name(int lang, const char *family);
/* The explanation of a family (never NULL: "other" as a fallback). */
const mm_explain *rp_family_explain(const char *family);
/* What a finding means: the built-in alert's own text, else its family's. */
const mm_explain *rp_finding_explain(const rp_finding *f);
/* "sev1".."sev3": the phrase key of a severity. */
const char *rp_sev_key(int sev);
/* A duration in words: "42 秒", "3 min", "2 h", "5 days". */
void rp_duration(int lang, int64_t seconds, char *out, size_t n);
/* A company's anonymous name by index: A社, B社 ... / Company A, B ... */
void rp_anon(int lang, size_t i, char *out, size_t n);

/* The summary sentences, with their figures. */
void rp_summary_line(int lang, char *out, size_t n, long long total, long long s1, long long s2,
                     long long s3);
void rp_survey_line(int lang, char *out, size_t n, size_t sites, size_t hit, long long alerts);

/* The line under a table cut at RP_ROWS rows. */
void rp_more_line(int lang, char *out, size_t n, size_t more);

#endif
