/*
 * webshell.h - what a file under a web root is, from its name and first
 * bytes: executable web content (by extension), a double extension, a
 * script hidden among images, or content that looks like a WebShell
 * (request data passed to execution, obfuscated payloads, markers of
 * public WebShells). Pure and bounded: it reads at most MW_HEAD_MAX bytes
 * and allocates nothing.
 */
#ifndef MM_WATCH_WEBSHELL_H
#define MM_WATCH_WEBSHELL_H

#include <stddef.h>
#include <stdint.h>

enum {
    MW_K_NONE = 0,
    MW_K_SCRIPT,            /* executable web content */
    MW_K_DOUBLE_EXT,        /* x.jpg.php, or x.php.jpg holding code */
    MW_K_SCRIPT_IN_IMAGE,   /* script markers in a file named as an image */
    MW_K_WEBSHELL,          /* content of a WebShell */
};

/* reason bits (mw_reason_text) */
enum {
    MW_R_EXT_SCRIPT = 0,
    MW_R_DOUBLE_EXT,
    MW_R_IMAGE_CODE,
    MW_R_EXEC_REQUEST,      /* request data passed to execution */
    MW_R_EXEC_CALL,         /* passthru, shell_exec, proc_open, Runtime.exec */
    MW_R_PREG_E,
    MW_R_CREATE_FUNCTION,
    MW_R_B64_DECODE_LONG,
    MW_R_DECODE_CHAIN,      /* gzinflate / str_rot13 / base64 chains */
    MW_R_LONG_B64,          /* a very long base64-looking run */
    MW_R_KNOWN_SHELL,       /* c99, r57, b374k, WSO, China Chopper */
    MW_R_UPLOAD_DIR,        /* under an upload or image directory */
    MW_R_NOT_EXECUTABLE,    /* WebShell content in a name the server may not run */
    MW_R_HANDLER_CONFIG,    /* .htaccess / .user.ini making files executable */
    MW_R__COUNT
};

typedef struct mw_class {
    int kind;               /* MW_K_* */
    int severity;           /* 1 (worst) .. 3; 0 with MW_K_NONE */
    uint32_t reasons;       /* 1 << MW_R_* */
} mw_class;

/* name: the file's path relative to the web root (the directory part
 * tells where it is); head: its first n bytes. */
void mw_classify(const char *name, const uint8_t *head, size_t n, mw_class *out);

const char *mw_kind_name(int kind);             /* "script", ... ; "" for none */
const char *mw_reason_text(int bit);            /* a short English phrase */

/* The alert a class raises: signature id, message, explain key. */
typedef struct mw_sig {
    uint32_t sid;
    const char *msg, *explain, *category;
} mw_sig;
const mw_sig *mw_class_sig(int kind);           /* NULL for MW_K_NONE */
/* All of them (documented in docs/detectors.md, texts in explain.c). */
const mw_sig *mw_sigs_all(size_t *n);

#endif
