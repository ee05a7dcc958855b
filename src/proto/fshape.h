/*
 * fshape.h - the shape of a file's content, measured as its bytes pass
 * (the first MM_FSHAPE_TEXT bytes): how its bytes are spread (entropy),
 * whether it is text, and for text the marks of an obfuscated script:
 * long unbroken strings, decoding calls, escape sequences. Fixed size,
 * no allocation; the detectors read it when the file ends.
 */
#ifndef MM_FSHAPE_H
#define MM_FSHAPE_H

#include <stdbool.h>
#include <stdint.h>

#define MM_FSHAPE_HIST (4 * 1024)      /* bytes counted for the entropy (a 2 KiB random sample
                                        * shows 7.9 bits) */
#define MM_FSHAPE_TEXT (64 * 1024)     /* bytes looked at for the text marks */
#define MM_FSHAPE_PLAIN (4 * 1024)     /* ... when these showed something of a script */

/* Decoding and writing calls of scripts and the plugins a page loads,
 * counted (fshape.c kw[]). */
enum {
    MM_KW_EVAL, MM_KW_UNESCAPE, MM_KW_FROMCHARCODE, MM_KW_CHARCODEAT, MM_KW_DOCWRITE,
    MM_KW_ATOB, MM_KW_PARSEINT, MM_KW_SPLIT, MM_KW_REPLACE, MM_KW_CREATEELEMENT,
    MM_KW_IFRAME, MM_KW_VBSCRIPT, MM_KW_ACTIVEX, MM_KW_SCRIPT,
    /* plugins a page loads (Flash, Silverlight, Java) */
    MM_KW_FLASH, MM_KW_FLASH_CLSID, MM_KW_SILVERLIGHT, MM_KW_APPLET, MM_KW__COUNT
};

typedef struct mm_fshape {
    uint32_t hist_n;            /* bytes counted in hist */
    uint16_t hist[256];         /* byte counts over the first MM_FSHAPE_HIST */
    uint32_t n;                 /* bytes looked at for the text marks */
    bool binary;                /* no more marks: not text (its first 512 bytes told), or plain */
    bool plain;                 /* text with nothing of a script in its first MM_FSHAPE_PLAIN */
    uint32_t ctrl;              /* control bytes (not tab, CR, LF, FF) */
    uint32_t high;              /* bytes >= 0x80 */
    uint32_t run, run_max;      /* dense run (no space, quote or bracket) now, longest */
    uint32_t dense;             /* bytes in dense runs of 256 or more */
    bool run_data;              /* the run is a data: URI's base64 (not counted) */
    uint8_t run_head[8];        /* the run's first bytes */
    uint32_t escapes;           /* \xNN, \uNNNN, %uNNNN */
    uint16_t kw[MM_KW__COUNT];
    uint8_t win[16];            /* the last bytes (keywords across chunks) */
} mm_fshape;

void mm_fshape_add(mm_fshape *s, const uint8_t *d, uint32_t n);

/* Shannon entropy of the counted bytes, in hundredths of a bit per byte
 * (0-800). */
unsigned mm_fshape_entropy(const mm_fshape *s);

/* Text: no control bytes in what was looked at. */
bool mm_fshape_text(const mm_fshape *s);

/* How much a text looks like an obfuscated script, 0-100: long unbroken
 * strings (not data: URIs), decoding calls of several kinds, escape
 * sequences, all weighed against the text's size. 0 for binary content. */
unsigned mm_fshape_obfuscation(const mm_fshape *s);

/* Distinct decoding calls present (eval, unescape, fromCharCode ...). */
unsigned mm_fshape_decoders(const mm_fshape *s);

#endif
