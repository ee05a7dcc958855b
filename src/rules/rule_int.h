/*
 * rule_int.h - what the rule parser's files share: the ruleset, the parse
 * context of one rule, and the keyword table's shape. Not for other parts
 * of the program (they use rule.h).
 */
#ifndef MM_RULE_INT_H
#define MM_RULE_INT_H

#include "rules/rule.h"
#include "util/arena.h"
#include "util/strmap.h"

#define MM_RULE_MAX_BUF 24      /* buffers one rule may inspect */
#define MM_RULE_MAX_SM 128      /* match options in one rule */
#define MM_RULE_MAX_VARS 8      /* byte_extract variables */
#define MM_RULE_MAX_BITOPS 16
#define MM_RULE_MAX_REFS 32
#define MM_RULE_MAX_LEN (256 * 1024)

typedef struct mm_class {
    char *name, *desc;
    uint8_t prio;
} mm_class;

typedef struct mm_kwcount {
    uint64_t loaded, skipped;
} mm_kwcount;

struct mm_ruleset {
    mm_arena arena;
    mm_rule **rules;
    size_t n, cap;
    mm_strmap vars;             /* name -> index into var_val */
    char **var_val;
    size_t nvars;
    mm_strmap sets;             /* "a:TEXT"/"p:TEXT" -> set pointer */
    mm_class *classes;          /* [0] unused */
    size_t nclasses;
    mm_strmap class_idx;
    mm_strmap bits;             /* flowbit/xbit name -> id */
    char **bit_names;
    size_t nbits;
    mm_strmap flowints;         /* flowint name -> id */
    char **flowint_names;
    size_t nflowints;
    mm_strmap varnames;         /* flowvar/pktvar name -> id */
    char **var_names;
    size_t nvarnames;
    mm_strmap sids;             /* "gid:sid" -> index into rules */
    mm_strmap kw;               /* keyword -> index into kwc */
    mm_kwcount *kwc;
    size_t nkw;
    void **pcres;               /* every compiled expression, for freeing */
    size_t npcres, cappcres;
    mm_rules_summary sum;
    mm_rule_skip_fn on_skip;
    void *on_skip_ctx;
    const char *cur_path;       /* the rule file being read (lists beside it) */
    mm_dataset **datasets;
    size_t ndatasets;
    mm_reputation *rep;         /* iprep categories and lists (NULL: none) */
};

/* One rule being parsed. */
typedef struct mm_rparse {
    mm_ruleset *rs;
    mm_rule *r;
    mm_hdrcmp hdr[MM_RULE_MAX_HDR];     /* r->hdr, copied to the arena at the end */
    mm_iprep iprep[MM_RULE_MAX_IPREP];  /* r->iprep, likewise */
    int why;
    char *msg;
    size_t msglen;
    /* buffers and options, copied into the arena when the rule is done */
    mm_rbuf buf[MM_RULE_MAX_BUF];   /* id and transforms; options below */
    int nbuf;
    mm_sm sm[MM_RULE_MAX_SM];       /* in rule order */
    uint8_t smbuf[MM_RULE_MAX_SM];  /* the buffer each belongs to */
    int nsm;
    int cur;                    /* buffer receiving options, -1: the payload */
    int pending;                /* sticky buffer named, no option yet (-1: none) */
    bool pending_new;           /* ... a multi-buffer named again: an instance of its own */
    uint8_t pending_tr[MM_MAX_TRANSFORMS];
    int npending_tr;
    const mm_trarg *pending_targ;
    int last_sm;                /* last content, for its modifiers (-1: none) */
    int last_any;               /* last content or pcre */
    char vars[MM_RULE_MAX_VARS][32];
    int nvars;
    mm_bitop bitops[MM_RULE_MAX_BITOPS];
    int nbitops;
    char *refs[MM_RULE_MAX_REFS];
    int nrefs;
    char metadata[4096];
    size_t metalen;
    bool has_sid;
    void *pcres[MM_RULE_MAX_SM];    /* compiled during this rule (freed on failure) */
    int npcres;
    mm_rfile file;
    bool has_file;
    mm_rdce dce;
    bool has_dce;
    mm_rgeo geo;
    bool has_geo;
} mm_rparse;

/* A failure: records why and a message, returns false. */
bool mm_rp_fail(mm_rparse *p, int why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Keyword handlers: val is NULL for a keyword given without ':'. */
typedef bool (*mm_kw_fn)(mm_rparse *p, const char *kw, char *val);

/* A number compared ("<5", ">=3", "1<>9", "7"); bsize, urilen, filesize. */
bool mm_rp_cmp(const char *s, uint64_t max, mm_cmp *c);

/* rule_requires.c: whether the requires options of a rule's option text
 * are met (false: *why MM_SKIP_REQUIRES, or MM_SKIP_VALUE when one does
 * not parse, with msg); and the keyword itself. */
bool mm_rp_requires(const char *opts, int *why, char *msg, size_t msglen);
bool mm_kw_requires(mm_rparse *p, const char *kw, char *val);

/* rule_iprep.c */
bool mm_kw_iprep(mm_rparse *p, const char *kw, char *val);
void mm_reputation_free(mm_reputation *r);
size_t mm_reputation_memory(const mm_reputation *r);

/* rule_dataset.c */
bool mm_kw_dataset(mm_rparse *p, const char *kw, char *val);
void mm_datasets_free(mm_ruleset *rs);
/* A new match option in the buffer the rule is at (rule_payload.c). */
mm_sm *mm_rp_new_sm(mm_rparse *p, uint8_t type, const char *kw);

/* rule_dce.c: dcerpc.iface, dcerpc.opnum (and dce_iface, dce_opnum) */
bool mm_kw_dce(mm_rparse *p, const char *kw, char *val);
/* geoip */
bool mm_kw_geoip(mm_rparse *p, const char *kw, char *val);

/* rule_file.c: filestore, filesize, filemd5/filesha1/filesha256 */
bool mm_kw_file(mm_rparse *p, const char *kw, char *val);
/* A file a rule names (a digest list, a dataset): next to the rule file
 * being read first, then as given; NULL with a message in err. */
char *mm_rp_read_beside(mm_rparse *p, const char *name, size_t max, size_t *len, char *err,
                        size_t errlen);
/* The next line of such a file that is neither blank nor a '#' comment,
 * blanks trimmed both sides, in *line and *n; false at the end. *cur walks the
 * text up to end; *lineno counts every line passed. */
bool mm_rp_next_line(char **cur, char *end, char **line, size_t *n, uint64_t *lineno);

/* rule_addr.c */
void mm_rs_default_vars(mm_ruleset *rs);
const char *mm_rs_var(const mm_ruleset *rs, const char *name, size_t len);

/* rule_payload.c: the keywords of buffers and match options */
bool mm_kw_payload(mm_rparse *p, const char *kw, char *val, bool *known);
/* Moves the options gathered in p into the arena; false when out of memory. */
bool mm_rp_finish_buffers(mm_rparse *p);
/* Checks a whole rule's options after parsing (fast_pattern count ...). */
bool mm_rp_check_buffers(mm_rparse *p);

/* Small helpers shared by the keyword files. */
char *mm_rp_trim(char *s);
/* A variable name's id (flowvar/pktvar), UINT32_MAX when out of memory. */
uint32_t mm_rp_var_id(mm_ruleset *rs, const char *name);
bool mm_rp_num(const char *s, int64_t lo, int64_t hi, int64_t *out);
/* Splits s at commas (not inside quotes) into at most max trimmed parts. */
int mm_rp_split(char *s, char sep, char **parts, int max);
/* Removes surrounding quotes and Suricata's escapes (\" \; \\ \:) in place;
 * false when the quotes are unbalanced. */
bool mm_rp_unquote(char *s, bool required);

#endif
