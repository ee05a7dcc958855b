/*
 * pcapdir.c - rotating pcap files within a quota.
 *
 * Files are named mimamori-YYYYMMDDTHHMMSSZ-NNNNNN.pcap so that name order
 * is age order. Files of this pattern already in the directory count
 * against the quota from the start. Before a write would go over the quota,
 * the oldest of our files are removed; nothing else in the directory (event
 * segments in particular) is ever removed. A file is rotated at one eighth
 * of the quota (between 1 MiB and 256 MiB) or when the link type changes.
 * A full disk stops packet keeping, is reported once on stderr and in the
 * stats (disk_full), and never stops the sensor.
 */
#include "output/pcapdir.h"
#include "util/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct pfile {
    char name[64];
    uint64_t size;
} pfile;

struct mm_pcapdir {
    char dir[4096];
    uint64_t quota, file_max;
    pfile *files;          /* oldest first; the last one is open when fp != NULL */
    size_t nfiles, capfiles;
    FILE *fp;
    int linktype;
    uint64_t seq;
    mm_pcapdir_counters st;
};

static bool ours(const char *n)
{
    size_t l = strlen(n);
    return l > 14 && l < 64 && strncmp(n, "mimamori-", 9) == 0 && strcmp(n + l - 5, ".pcap") == 0;
}

static int cmp_pfile(const void *a, const void *b)
{
    return strcmp(((const pfile *)a)->name, ((const pfile *)b)->name);
}

static bool add_file(mm_pcapdir *pd, const char *name, uint64_t size)
{
    if (pd->nfiles == pd->capfiles) {
        size_t nc = pd->capfiles ? pd->capfiles * 2 : 64;
        pfile *nf = realloc(pd->files, nc * sizeof(*nf));
        if (!nf)
            return false;
        pd->files = nf;
        pd->capfiles = nc;
    }
    mm_strcpy(pd->files[pd->nfiles].name, sizeof pd->files[0].name, name);
    pd->files[pd->nfiles].size = size;
    pd->nfiles++;
    pd->st.in_use += size;
    return true;
}

mm_pcapdir *mm_pcapdir_open(const char *dir, uint64_t quota, char *err, size_t errlen)
{
    mm_pcapdir *pd = calloc(1, sizeof(*pd));
    if (!pd) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    mm_strcpy(pd->dir, sizeof pd->dir, dir);
    pd->quota = quota;
    pd->file_max = quota / 8;
    if (pd->file_max < (1u << 20)) pd->file_max = 1u << 20;
    if (pd->file_max > (256u << 20)) pd->file_max = 256u << 20;
    if (pd->file_max > quota) pd->file_max = quota;
    pd->linktype = -1;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        free(pd);
        return NULL;
    }
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "cannot read %s: %s", dir, strerror(errno));
        free(pd);
        return NULL;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!ours(de->d_name))
            continue;
        char p[4200];
        struct stat sb;
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode))
            add_file(pd, de->d_name, (uint64_t)sb.st_size);
    }
    closedir(d);
    if (pd->nfiles)
        qsort(pd->files, pd->nfiles, sizeof(pfile), cmp_pfile);
    return pd;
}

static void close_current(mm_pcapdir *pd)
{
    if (pd->fp) {
        fclose(pd->fp);
        pd->fp = NULL;
    }
}

/* Remove oldest closed files until need more bytes fit. */
static bool make_room(mm_pcapdir *pd, uint64_t need)
{
    size_t keep_open = pd->fp ? 1 : 0;
    while (pd->st.in_use + need > pd->quota && pd->nfiles > keep_open) {
        char p[4200];
        snprintf(p, sizeof p, "%s/%s", pd->dir, pd->files[0].name);
        unlink(p);
        pd->st.in_use -= pd->files[0].size;
        pd->st.files_removed++;
        memmove(&pd->files[0], &pd->files[1], (pd->nfiles - 1) * sizeof(pfile));
        pd->nfiles--;
    }
    return pd->st.in_use + need <= pd->quota;
}

static void disk_full(mm_pcapdir *pd)
{
    if (!pd->st.disk_full)
        fprintf(stderr, "mimamori: disk full in %s: packets are no longer kept "
                        "(events are still written)\n", pd->dir);
    pd->st.disk_full = true;
    close_current(pd);
}

static bool open_new(mm_pcapdir *pd, int linktype)
{
    close_current(pd);
    char stamp[32], name[64], p[4200];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(name, sizeof name, "mimamori-%s-%06llu.pcap", stamp,
             (unsigned long long)(pd->seq++ % 1000000));
    snprintf(p, sizeof p, "%s/%s", pd->dir, name);
    if (!make_room(pd, 24))
        return false;
    pd->fp = fopen(p, "wbx");
    if (!pd->fp) {
        if (errno == ENOSPC)
            disk_full(pd);
        return false;
    }
    setvbuf(pd->fp, NULL, _IOFBF, 256 << 10);
    /* pcap header, nanosecond timestamps, host byte order. */
    uint32_t h[6] = {0xa1b23c4d, 2 | (4u << 16), 0, 0, MM_MAX_SNAPLEN, (uint32_t)linktype};
    if (fwrite(h, sizeof h, 1, pd->fp) != 1) {
        disk_full(pd);
        return false;
    }
    pd->linktype = linktype;
    add_file(pd, name, 24);
    pd->st.files++;
    return true;
}

bool mm_pcapdir_write(mm_pcapdir *pd, const mm_rawpkt *p)
{
    if (pd->st.disk_full) {
        pd->st.not_kept++;
        return false;
    }
    uint64_t need = 16 + (uint64_t)p->caplen;
    if (!pd->fp || pd->linktype != p->linktype ||
        pd->files[pd->nfiles - 1].size + need > pd->file_max) {
        if (!open_new(pd, p->linktype)) {
            pd->st.not_kept++;
            return false;
        }
    }
    if (!make_room(pd, need)) {
        pd->st.not_kept++;
        return false;
    }
    uint32_t rh[4] = {(uint32_t)(p->ts_ns / 1000000000ULL), (uint32_t)(p->ts_ns % 1000000000ULL),
                      p->caplen, p->wirelen};
    if (fwrite(rh, sizeof rh, 1, pd->fp) != 1 ||
        (p->caplen && fwrite(p->data, p->caplen, 1, pd->fp) != 1)) {
        if (errno == ENOSPC)
            disk_full(pd);
        pd->st.not_kept++;
        return false;
    }
    pd->files[pd->nfiles - 1].size += need;
    pd->st.in_use += need;
    pd->st.written_bytes += need;
    pd->st.written_pkts++;
    return true;
}

void mm_pcapdir_stats_get(const mm_pcapdir *pd, mm_pcapdir_counters *st) { *st = pd->st; }

void mm_pcapdir_close(mm_pcapdir *pd)
{
    if (!pd)
        return;
    if (pd->fp && fclose(pd->fp) != 0 && errno == ENOSPC)
        fprintf(stderr, "mimamori: disk full in %s while closing a pcap file\n", pd->dir);
    pd->fp = NULL;
    free(pd->files);
    free(pd);
}
