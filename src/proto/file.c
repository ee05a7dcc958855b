/*
 * file.c - files carried by protocols: hashes, type, filestore; see file.h.
 */
#include "proto/file.h"
#include "proto/fshape.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEAD 512                 /* first bytes kept for the type */
#define INSP (32 * 1024)         /* first bytes kept for rules (file.data), when rules run */

struct mm_file {
    struct md5_ctx md5;
    struct sha1_ctx sha1;
    struct sha256_ctx sha256;
    uint64_t size;
    unsigned hashes;             /* MM_HASH_*: those computed */
    bool gaps;
    uint8_t head[HEAD];
    uint32_t head_len;
    char name[512];
    uint64_t ts;
    int fd;                      /* filestore temporary, -1 when not storing */
    char tmp[512];
    /* containers (zip, OLE2) are read through for what they hold */
    int8_t container;            /* -1 unknown yet, 0 no, 1 zip, 2 OLE2 */
    bool macros;                 /* VBA project inside */
    char inner[64];              /* first program or script member of a zip */
    char declared[96];           /* the carrier's declared type ("" none) */
    uint8_t tail[32];            /* last bytes of the previous chunk */
    uint32_t tail_len;
    uint8_t *insp;               /* the first INSP bytes, for rules (NULL: none) */
    uint32_t insp_len;
    bool has_tx;                 /* the carrier named its transaction */
    uint64_t tx_id;
    int dir;                     /* the way the file goes in its flow (MM_TO_*; 0, to
                                  * server, as allocated) */
    bool ranged;                 /* a piece [start, end] of a larger file */
    uint64_t start, end;
    mm_fshape shape;             /* the content's shape (the detectors') */
};

static _Atomic unsigned long tmp_seq;     /* workers make files at once */

mm_file *mm_file_open(mm_app *a, const char *name, size_t name_len, uint64_t ts)
{
    mm_file *fl = mm_app_alloc(a, sizeof(*fl));
    if (!fl)
        return NULL;
    /* SHA-256 is needed to name a kept file */
    fl->hashes = a->store.hashes | (a->store.dir ? MM_HASH_SHA256 : 0);
    md5_init(&fl->md5);
    sha1_init(&fl->sha1);
    sha256_init(&fl->sha256);
    if (name_len >= sizeof fl->name)
        name_len = sizeof fl->name - 1;
    memcpy(fl->name, name, name_len);
    fl->name[name_len] = 0;
    fl->ts = ts;
    fl->fd = -1;
    fl->container = -1;
    if (a->store.dir) {
        char d[512];
        snprintf(d, sizeof d, "%s/tmp", a->store.dir);
        mkdir(d, 0700);
        snprintf(fl->tmp, sizeof fl->tmp, "%s/tmp/%ld-%lu", a->store.dir, (long)getpid(),
                 ++tmp_seq);
        fl->fd = open(fl->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fl->fd < 0)
            a->store.errors++;
    }
    return fl;
}

static void stop_storing(mm_file *fl)
{
    if (fl->fd < 0)
        return;
    close(fl->fd);
    unlink(fl->tmp);
    fl->fd = -1;
}

static bool risky_name(const char *nm, size_t l)
{
    static const char *const ext[] = {".exe", ".dll", ".scr", ".com", ".pif", ".cpl", ".msi",
                                      ".js", ".jse", ".vbs", ".vbe", ".wsf", ".hta", ".ps1",
                                      ".bat", ".cmd", ".lnk", ".jar", ".docm", ".xlsm", ".iso"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t e = strlen(ext[i]);
        if (l > e && strncasecmp(nm + l - e, ext[i], e) == 0)
            return true;
    }
    return false;
}

/* What a zip or OLE2 file holds, as its bytes pass: a VBA project (macros),
 * a program or script among a zip's members. Markers split across chunks
 * are caught through the previous chunk's tail. */
static void scan(mm_file *fl, const uint8_t *d, uint32_t n)
{
    static const uint8_t vba16[] = "_\0V\0B\0A\0_\0P\0R\0O\0J\0E\0C\0T\0";
    uint8_t buf[32 + 4096];
    for (uint32_t off = 0; off < n;) {
        uint32_t k = n - off < 4096 ? n - off : 4096;
        memcpy(buf, fl->tail, fl->tail_len);
        memcpy(buf + fl->tail_len, d + off, k);
        uint32_t bl = fl->tail_len + k;
        if (fl->container == 2 && !fl->macros)
            fl->macros = memmem(buf, bl, vba16, sizeof vba16 - 1) != NULL;
        if (fl->container == 1) {
            if (!fl->macros)
                fl->macros = memmem(buf, bl, "vbaProject.bin", 14) != NULL;
            for (const uint8_t *p = buf; !fl->inner[0] && p + 30 <= buf + bl;) {
                const uint8_t *h = memmem(p, (size_t)(buf + bl - p), "PK\x03\x04", 4);
                if (!h || h + 30 > buf + bl)
                    break;
                uint32_t nl = mm_le16(h + 26);
                if (nl && nl < sizeof fl->inner && h + 30 + nl <= buf + bl &&
                    risky_name((const char *)h + 30, nl)) {
                    memcpy(fl->inner, h + 30, nl);
                    fl->inner[nl] = 0;
                    for (uint32_t i = 0; i < nl; i++)
                        if (fl->inner[i] < 0x20 || fl->inner[i] == 0x7f)
                            fl->inner[i] = '?';
                }
                p = h + 4;
            }
        }
        fl->tail_len = bl < sizeof fl->tail ? bl : (uint32_t)sizeof fl->tail;
        memcpy(fl->tail, buf + bl - fl->tail_len, fl->tail_len);
        off += k;
    }
}

void mm_file_data(mm_app *a, mm_file *fl, const uint8_t *d, uint32_t n)
{
    if (!fl)
        return;
    if (!d) {
        fl->gaps = true;         /* the hashes no longer describe the file */
        fl->size += n;
        stop_storing(fl);
        return;
    }
    if (fl->hashes & MM_HASH_MD5)
        md5_update(&fl->md5, n, d);
    if (fl->hashes & MM_HASH_SHA1)
        sha1_update(&fl->sha1, n, d);
    if (fl->hashes & MM_HASH_SHA256)
        sha256_update(&fl->sha256, n, d);
    if (fl->head_len < HEAD) {
        uint32_t k = n < HEAD - fl->head_len ? n : HEAD - fl->head_len;
        memcpy(fl->head + fl->head_len, d, k);
        fl->head_len += k;
    }
    if (a->buffers && fl->insp_len < INSP &&
        (fl->insp || (fl->insp = mm_app_alloc_buf(a, INSP)))) {
        uint32_t k = n < INSP - fl->insp_len ? n : INSP - fl->insp_len;
        memcpy(fl->insp + fl->insp_len, d, k);
        fl->insp_len += k;
    }
    mm_fshape_add(&fl->shape, d, n);
    if (fl->container < 0 && fl->head_len >= 8)
        fl->container = memcmp(fl->head, "PK\x03\x04", 4) == 0 ? 1
                      : memcmp(fl->head, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8) == 0 ? 2 : 0;
    if (fl->container > 0)
        scan(fl, d, n);
    fl->size += n;
    if (fl->fd >= 0) {
        if (fl->size > a->store.max) {
            stop_storing(fl);    /* larger than we keep */
            return;
        }
        const uint8_t *p = d;
        uint32_t left = n;
        while (left) {
            ssize_t w = write(fl->fd, p, left);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                a->store.errors++;
                stop_storing(fl);
                return;
            }
            p += w;
            left -= (uint32_t)w;
        }
    }
}

static void hex(const uint8_t *d, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[d[i] >> 4];
        out[2 * i + 1] = hx[d[i] & 15];
    }
    out[2 * n] = 0;
}

/* Moves the stored copy to DIR/ab/abcdef... (SHA-256); false when not kept. */
static bool keep(mm_app *a, mm_file *fl, const char *sha)
{
    if (fl->fd < 0)
        return false;
    bool ok = fsync(fl->fd) == 0;
    close(fl->fd);
    fl->fd = -1;
    char sub[600], dst[700];
    snprintf(sub, sizeof sub, "%s/%.2s", a->store.dir, sha);
    mkdir(sub, 0700);
    snprintf(dst, sizeof dst, "%s/%s", sub, sha);
    if (ok && access(dst, F_OK) == 0) {
        unlink(fl->tmp);         /* the same content is already kept */
        return true;
    }
    if (!ok || rename(fl->tmp, dst) != 0) {
        a->store.errors++;
        unlink(fl->tmp);
        return false;
    }
    return true;
}

void mm_file_info_get(const mm_file *fl, bool complete, mm_file_info *out)
{
    memset(out, 0, sizeof *out);
    out->name = fl->name;
    out->size = fl->size;
    out->complete = complete && !fl->gaps;
    /* digests of copies: the file may still be given bytes. A cut file's
     * are of the bytes seen (logged, as Suricata's); the rules' hash
     * keywords look at whole files only */
    out->hashes = fl->hashes;
    struct md5_ctx m = fl->md5;
    struct sha1_ctx s1 = fl->sha1;
    struct sha256_ctx s2 = fl->sha256;
    if (fl->hashes & MM_HASH_MD5)
        md5_digest(&m, MD5_DIGEST_SIZE, out->md5);
    if (fl->hashes & MM_HASH_SHA1)
        sha1_digest(&s1, SHA1_DIGEST_SIZE, out->sha1);
    if (fl->hashes & MM_HASH_SHA256)
        sha256_digest(&s2, SHA256_DIGEST_SIZE, out->sha256);
}

void mm_file_close(mm_app *a, mm_flow *f, mm_file *fl, bool complete, uint64_t ts,
                   void (*ctx)(mm_json *j, const void *arg), const void *arg)
{
    if (!fl)
        return;
    mm_file_info fi;
    mm_file_info_get(fl, complete, &fi);
    bool closed = fi.complete;
    char md5[2 * MD5_DIGEST_SIZE + 1], sha1[2 * SHA1_DIGEST_SIZE + 1],
        sha256[2 * SHA256_DIGEST_SIZE + 1];
    hex(fi.md5, MD5_DIGEST_SIZE, md5);
    hex(fi.sha1, SHA1_DIGEST_SIZE, sha1);
    hex(fi.sha256, SHA256_DIGEST_SIZE, sha256);
    bool stored = false;
    if (a->store.dir) {
        /* a cut file is kept too (what came of it, as Suricata's
         * file-store); one with gaps stopped being written at the gap */
        if (fl->fd >= 0)
            stored = keep(a, fl, sha256);
        else
            stop_storing(fl);
        if (stored)
            a->store.stored++;
        else
            a->store.not_stored++;
    }
    const char *magic = mm_file_magic(fl->head, fl->head_len);
    mm_obs_file o = {.info = &fi, .name = fl->name, .magic = magic ? magic : "", .head = fl->head,
                     .head_len = fl->head_len, .data = fl->insp ? fl->insp : fl->head,
                     .data_len = fl->insp ? fl->insp_len : fl->head_len,
                     .size = fl->size, .complete = closed,
                     .macros = fl->macros, .inner = fl->inner, .declared = fl->declared,
                     .sha256 = closed && (fl->hashes & MM_HASH_SHA256) ? sha256 : "",
                     .dir = fl->dir, .gaps = fl->gaps, .stored = stored,
                     .has_tx = fl->has_tx, .tx_id = fl->tx_id, .json = ctx, .json_arg = arg,
                     .shape = &fl->shape};
    mm_app_observe(a, f, -1, MM_OBS_FILE, &o, ts ? ts : fl->ts);
    /* written the way the file went, as Suricata's fileinfo */
    mm_json *j = mm_app_event_begin(a, f, ts ? ts : fl->ts, "fileinfo", fl->dir, true);
    if (ctx)
        ctx(j, arg);
    mj_obj_open(j, "fileinfo");
    mj_str(j, "filename", fl->name);
    if (magic)
        mj_str(j, "magic", magic);
    mj_bool(j, "gaps", fl->gaps);
    mj_str(j, "state", closed ? "CLOSED" : "TRUNCATED");
    /* the hashes of the bytes seen, a cut file's too (Suricata 7 logs
     * them: its state says the file is not whole; indicator matching
     * below only takes whole files) */
    if (a->store.hashes & MM_HASH_MD5)
        mj_str(j, "md5", md5);
    if (a->store.hashes & MM_HASH_SHA1)
        mj_str(j, "sha1", sha1);
    if (a->store.hashes & MM_HASH_SHA256)
        mj_str(j, "sha256", sha256);
    mj_bool(j, "stored", stored);
    mj_u64(j, "size", fl->size);
    if (fl->ranged) {
        mj_u64(j, "start", fl->start);
        mj_u64(j, "end", fl->end);
    }
    if (fl->has_tx)
        mj_u64(j, "tx_id", fl->tx_id);
    mj_obj_close(j);
    mm_app_event_end(a, f);
    mm_app_free(a, fl->insp, INSP);
    mm_app_free(a, fl, sizeof(*fl));
}

void mm_file_set_tx(mm_file *fl, uint64_t tx_id)
{
    if (fl) {
        fl->has_tx = true;
        fl->tx_id = tx_id;
    }
}

void mm_file_set_range(mm_file *fl, uint64_t start, uint64_t end)
{
    if (fl) {
        fl->ranged = true;
        fl->start = start;
        fl->end = end;
    }
}

void mm_file_set_dir(mm_file *fl, int dir)
{
    if (fl)
        fl->dir = dir == MM_TO_CLIENT ? MM_TO_CLIENT : MM_TO_SERVER;
}

void mm_file_set_declared(mm_file *fl, const char *type)
{
    if (fl)
        mm_strcpy(fl->declared, sizeof fl->declared, type);
}

uint64_t mm_file_size(const mm_file *fl)
{
    return fl ? fl->size : 0;
}

void mm_file_free(mm_app *a, mm_file *fl)
{
    if (!fl)
        return;
    stop_storing(fl);
    mm_app_free(a, fl->insp, INSP);
    mm_app_free(a, fl, sizeof(*fl));
}

/* --- type by content ------------------------------------------------------ */

static bool has(const uint8_t *d, uint32_t n, uint32_t off, const char *sig, size_t l)
{
    return n >= off + l && memcmp(d + off, sig, l) == 0;
}

static bool ci_text(const uint8_t *d, uint32_t n, const char *w)
{
    size_t l = strlen(w);
    uint32_t i = 0;
    while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
        i++;
    if (n - i < l)
        return false;
    for (size_t k = 0; k < l; k++) {
        uint8_t c = d[i + k];
        if (c >= 'A' && c <= 'Z')
            c = (uint8_t)(c + 32);
        if (c != (uint8_t)w[k])
            return false;
    }
    return true;
}

const char *mm_file_magic(const uint8_t *d, uint32_t n)
{
    if (n == 0)
        return NULL;
    if (has(d, n, 0, "MZ", 2)) {
        /* the PE header says 32 or 64 bits, program or library */
        if (n >= 0x40) {
            uint32_t pe = mm_le32(d + 0x3c);
            if (pe <= n - 24 && has(d, n, pe, "PE\0\0", 4)) {
                uint16_t chars = mm_le16(d + pe + 22);
                uint16_t opt = pe + 24 + 2 <= n ? mm_le16(d + pe + 24) : 0;
                bool dll = chars & 0x2000;
                if (opt == 0x20b)
                    return dll ? "PE32+ executable (DLL), for MS Windows"
                               : "PE32+ executable, for MS Windows";
                return dll ? "PE32 executable (DLL), for MS Windows"
                           : "PE32 executable, for MS Windows";
            }
        }
        return "MS-DOS executable";
    }
    if (has(d, n, 0, "\x7f" "ELF", 4))
        return "ELF executable";
    if (has(d, n, 0, "%PDF-", 5))
        return "PDF document";
    if (has(d, n, 0, "PK\x03\x04", 4)) {
        static const char ct[] = "[Content_Types].xml";
        if (n >= 30 + sizeof ct - 1 && memcmp(d + 30, ct, sizeof ct - 1) == 0)
            return "Microsoft OOXML";
        if (has(d, n, 30, "mimetypeapplication/vnd.oasis", 29))
            return "OpenDocument";
        if (has(d, n, 30, "META-INF/", 9))
            return "Java archive data (JAR)";
        if (has(d, n, 30, "AppManifest.xaml", 16))
            return "Silverlight application (XAP)";
        return "Zip archive data";
    }
    if (has(d, n, 0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8))
        return "Composite Document File V2 Document";
    if (has(d, n, 0, "{\\rtf", 5))
        return "Rich Text Format data";
    if (has(d, n, 0, "\x1f\x8b", 2))
        return "gzip compressed data";
    if (has(d, n, 0, "Rar!\x1a\x07", 6))
        return "RAR archive data";
    if (has(d, n, 0, "7z\xbc\xaf\x27\x1c", 6))
        return "7-zip archive data";
    if (has(d, n, 0, "MSCF", 4))
        return "Microsoft Cabinet archive data";
    if (has(d, n, 0, "FWS", 3) && n > 3 && d[3] < 64)
        return "Macromedia Flash data";
    if (has(d, n, 0, "CWS", 3) && n > 3 && d[3] < 64)
        return "Macromedia Flash data (compressed)";
    if (has(d, n, 0, "ZWS", 3) && n > 3 && d[3] < 64)
        return "Macromedia Flash data (LZMA compressed)";
    if (has(d, n, 0, "\xca\xfe\xba\xbe", 4))
        return "compiled Java class data";
    if (has(d, n, 0, "\x89PNG\r\n\x1a\n", 8))
        return "PNG image data";
    if (has(d, n, 0, "\xff\xd8\xff", 3))
        return "JPEG image data";
    if (has(d, n, 0, "GIF87a", 6) || has(d, n, 0, "GIF89a", 6))
        return "GIF image data";
    if (has(d, n, 0, "RIFF", 4) && has(d, n, 8, "WEBP", 4))
        return "RIFF (little-endian) data, Web/P image";
    if (has(d, n, 0, "wOFF", 4) || has(d, n, 0, "wOF2", 4))
        return "Web Open Font Format";
    if (has(d, n, 0, "\x00\x61\x73\x6d", 4))
        return "WebAssembly (wasm) binary module";
    if (has(d, n, 0, "#!", 2))
        return "script text executable";
    if (ci_text(d, n, "<!doctype html") || ci_text(d, n, "<html") || ci_text(d, n, "<head"))
        return "HTML document";
    if (ci_text(d, n, "<?xml"))
        return "XML document";
    if (ci_text(d, n, "{") || ci_text(d, n, "["))
        return "JSON text";
    /* text: printable ASCII, UTF-8 and line ends only */
    bool text = true, ascii = true;
    for (uint32_t i = 0; i < n && text; i++) {
        uint8_t c = d[i];
        if (c >= 0x80)
            ascii = false;
        else if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f')
            text = false;
    }
    if (text)
        return ascii ? "ASCII text" : "UTF-8 Unicode text";
    return "data";
}
